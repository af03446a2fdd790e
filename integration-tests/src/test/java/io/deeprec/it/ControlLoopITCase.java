package io.deeprec.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.deeprec.job.DeepRecJob;
import io.deeprec.job.DeepRecOptions;
import io.deeprec.job.JobSettings;
import io.deeprec.job.kafka.TopicReader;
import io.deeprec.job.load.OpenLoopSender;
import io.deeprec.job.load.QueryGenerator;
import io.deeprec.workload.QuerySizes;
import io.deeprec.job.load.ResultTracker;
import io.deeprec.schema.ControlDecision;
import io.deeprec.schema.DecisionSource;
import io.deeprec.schema.MetricsSnapshot;
import io.deeprec.schema.RecResult;
import io.deeprec.job.cli.ControlCommand;
import picocli.CommandLine;
import io.deeprec.schema.SingleObjectCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The feedback loop through Kafka on the embedded broker and a MiniCluster: metrics topic ->
 * controller (deeprecsched) -> control topic -> batchers. A load step (2x QPS) during the run
 * makes the controller move the batch size again, visible in the metrics topic; every query is
 * answered.
 */
class ControlLoopITCase {

  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER = TestJobs.miniCluster(1, 2);

  @RegisterExtension
  static final EmbeddedKafka KAFKA = new EmbeddedKafka();

  /** How long a topic's expected records may take to be read. */
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);
  /** Windows in the controller's load watch; small, so that the test is short. */
  private static final int WATCH_WINDOWS = 4;
  /** How long each load phase may take to show what it waits for. */
  private static final Duration LOAD_PHASE_TIMEOUT = Duration.ofMinutes(2);
  /** Consecutive probe results at the pinned size that show the pin applied. */
  private static final int PINNED_PROBES = 8;

  /**
   * Input: rmc1 queries at 30 QPS until the controller (deeprecsched) holds a choice and has watched the load
   * under it, then 60 QPS.
   * Output: the climb moved the batch size (the metrics windows show more than one), the controller explores
   * again after the step and says the load moved, every decision comes from the controller, every query is
   * answered once. Then a manual pin through {@code deeprec control} fixes the batch size of later queries.
   */
  @Test
  void loadStepMakesTheControllerChangeTheBatchSize() throws Exception {
    Properties kafka = KAFKA.clientProperties();
    String prefix = "loop";
    Configuration conf = TestJobs.jobConf(KAFKA.bootstrapServers(), prefix, List.of("rmc1"));
    conf.set(DeepRecOptions.POLICY, "deeprecsched");
    conf.set(DeepRecOptions.METRICS_WINDOW, Duration.ofMillis(500));
    // Faster pacing than the defaults, so the test sees a climb, a hold and a new exploration in tens of seconds.
    conf.set(DeepRecOptions.STEP_WINDOWS, 2);
    conf.set(DeepRecOptions.WATCH_WINDOWS, WATCH_WINDOWS);

    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    JobSettings settings = DeepRecJob.define(env, conf);
    JobClient client = env.executeAsync("control-loop");
    try (OpenLoopSender sender = new OpenLoopSender(kafka, settings.queriesTopic());
        ResultTracker tracker = new ResultTracker(kafka, settings.resultsTopic(), prefix + "-");
        TopicReader<ControlDecision> decisionReader =
            new TopicReader<>(kafka, settings.controlTopic(), SingleObjectCodec.CONTROL);
        TopicReader<MetricsSnapshot> metricsReader =
            new TopicReader<>(kafka, settings.metricsTopic(), SingleObjectCodec.METRICS)) {
      QueryGenerator generator = new QueryGenerator(List.of("rmc1"), QuerySizes.lognormal(5.1, 0.2), 5, prefix, 10);
      List<ControlDecision> decisions = new ArrayList<>();
      List<MetricsSnapshot> windows = new ArrayList<>();
      Runnable readBoth = () -> {
        decisionReader.poll(Duration.ofMillis(100), decisions::add);
        metricsReader.poll(Duration.ofMillis(100), windows::add);
      };
      long[] seed = {1};

      // The base load lasts until the controller holds a choice and a full watch span was served under it:
      // the load the choice settles at is then the base load.
      await("deeprecsched holding a choice, watched at the base load").atMost(LOAD_PHASE_TIMEOUT)
          .pollInSameThread().pollInterval(Duration.ZERO).until(() -> {
            sender.run(generator, 30, 1_000, seed[0]++);
            readBoth.run();
            ControlDecision latest = decisions.isEmpty() ? null : decisions.get(decisions.size() - 1);
            return latest != null && latest.getReason().contains("; hold batch")
                && windowsServedUnder(windows, latest) > WATCH_WINDOWS;
          });
      long stepAtMs = System.currentTimeMillis();
      await("a new exploration after the load step").atMost(LOAD_PHASE_TIMEOUT)
          .pollInSameThread().pollInterval(Duration.ZERO).untilAsserted(() -> {
            sender.run(generator, 60, 1_000, seed[0]++);
            readBoth.run();
            assertThat(decisions).as("decisions after the load step at %d", stepAtMs)
                .anySatisfy(d -> {
                  assertThat(d.getTimestampMs()).isGreaterThan(stepAtMs);
                  assertThat(d.getReason()).contains("explore again: load moved from");
                });
          });

      ResultTracker.Snapshot answered = tracker.awaitAnswered(generator.generated(), Duration.ofMinutes(3));
      assertThat(answered.answered()).as("answered queries").isEqualTo(generator.generated());
      assertThat(answered.duplicates()).isZero();
      assertThat(decisions).as("controller decisions")
          .allSatisfy(d -> assertThat(d.getSource()).isEqualTo(DecisionSource.CONTROLLER));
      assertThat(windows.stream().filter(w -> w.getOkCount() > 0).map(MetricsSnapshot::getBatchSize).distinct())
          .as("batch sizes the metrics windows were served under").hasSizeGreaterThan(1);
      assertThat(windows).allSatisfy(w -> assertThat(w.getPolicy()).isEqualTo("deeprecsched"));

      // A manual pin from the CLI wins over the controller: later queries run at batch size 24.
      int exit = new CommandLine(new ControlCommand()).execute("--bootstrap-servers", KAFKA.bootstrapServers(),
          "--topic", settings.controlTopic(), "--model", "rmc1", "--batch-size", "24");
      assertThat(exit).isZero();
      List<RecResult> pinnedResults = new ArrayList<>();
      QueryGenerator pinned = new QueryGenerator(List.of("rmc1"), QuerySizes.fixed(100), 6, prefix + "-pinned", 10);
      try (TopicReader<RecResult> reader = new TopicReader<>(kafka, settings.resultsTopic(), SingleObjectCodec.RESULT)) {
        // The pin reaches the batchers through the broadcast control stream: probe queries, one per
        // poll, until the last few answered all ran at the pinned size (both batchers, in practice).
        QueryGenerator probes = new QueryGenerator(List.of("rmc1"), QuerySizes.fixed(100), 7, prefix + "-probe", 10);
        List<Integer> probeBatchSizes = new ArrayList<>();
        await("probe queries running at the pinned batch size").atMost(READ_TIMEOUT).pollInSameThread().until(() -> {
          sender.send(probes.next(System.currentTimeMillis()));
          sender.flush();
          reader.poll(Duration.ofMillis(200), r -> {
            if (r.getQueryId().startsWith(prefix + "-probe")) {
              probeBatchSizes.add(r.getBatchSizeSetting());
            }
          });
          int probed = probeBatchSizes.size();
          return probed >= PINNED_PROBES
              && probeBatchSizes.subList(probed - PINNED_PROBES, probed).stream().allMatch(b -> b == 24);
        });

        sender.run(pinned, 30, 2_000, 3);
        await("the pinned queries answered").atMost(READ_TIMEOUT).pollInSameThread().until(() -> {
          reader.poll(Duration.ofMillis(200), r -> {
            if (r.getQueryId().startsWith(prefix + "-pinned")) {
              pinnedResults.add(r);
            }
          });
          return pinnedResults.size() >= pinned.generated();
        });
      }
      assertThat(pinnedResults).hasSize((int) pinned.generated())
          .allSatisfy(r -> {
            assertThat(r.getBatchSizeSetting()).isEqualTo(24);
            assertThat(r.getRequests()).isEqualTo(5);
          });
    } finally {
      TestJobs.stop(client);
    }
  }

  /** Windows that served queries under {@code decision}'s settings and started after it was made. */
  private static long windowsServedUnder(List<MetricsSnapshot> windows, ControlDecision decision) {
    return windows.stream()
        .filter(w -> w.getWindowStartMs() >= decision.getTimestampMs() && w.getOkCount() > 0
            && w.getBatchSize() == decision.getBatchSize() && w.getOffloadThreshold() == decision.getOffloadThreshold())
        .count();
  }
}

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
import java.util.stream.Collectors;
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
  /** Consecutive probe results at the pinned size that show the pin applied. */
  private static final int PINNED_PROBES = 8;

  /**
   * Input: rmc1 queries at 30 QPS for 20 s (a climb, convergence, a load baseline), then 60 QPS
   * for 15 s, with policy deeprecsched.
   * Output: controller decisions on the control topic, among them decisions after the step; the
   * metrics windows after the step show the batch size moving; all queries answered once. Then a
   * manual pin through {@code deeprec control} fixes the batch size of later queries.
   */
  @Test
  void loadStepMakesTheControllerChangeTheBatchSize() throws Exception {
    Properties kafka = KAFKA.clientProperties();
    String prefix = "loop";
    Configuration conf = TestJobs.jobConf(KAFKA.bootstrapServers(), prefix, List.of("rmc1"));
    conf.set(DeepRecOptions.POLICY, "deeprecsched");
    conf.set(DeepRecOptions.METRICS_WINDOW, Duration.ofMillis(500));
    // Faster pacing than the defaults, so a test of ~30 s sees a climb, convergence and a re-climb.
    conf.set(DeepRecOptions.STEP_WINDOWS, 2);
    conf.set(DeepRecOptions.WATCH_WINDOWS, 4);

    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    JobSettings settings = DeepRecJob.define(env, conf);
    JobClient client = env.executeAsync("control-loop");
    try (OpenLoopSender sender = new OpenLoopSender(kafka, settings.queriesTopic());
        ResultTracker tracker = new ResultTracker(kafka, settings.resultsTopic(), prefix + "-")) {
      QueryGenerator generator = new QueryGenerator(List.of("rmc1"), QuerySizes.lognormal(5.1, 0.2), 5, prefix, 10);
      sender.run(generator, 30, 20_000, 1);
      long stepAtMs = System.currentTimeMillis();
      sender.run(generator, 60, 15_000, 2);

      ResultTracker.Snapshot answered = tracker.awaitAnswered(generator.generated(), Duration.ofMinutes(3));
      assertThat(answered.answered()).as("answered queries").isEqualTo(generator.generated());
      assertThat(answered.duplicates()).isZero();

      List<ControlDecision> decisions = new ArrayList<>();
      try (TopicReader<ControlDecision> reader =
          new TopicReader<>(kafka, settings.controlTopic(), SingleObjectCodec.CONTROL)) {
        await("a controller decision after the load step").atMost(READ_TIMEOUT).pollInSameThread().untilAsserted(() -> {
          reader.poll(Duration.ofMillis(200), decisions::add);
          assertThat(decisions).as("decisions after the load step at %d", stepAtMs)
              .anySatisfy(d -> assertThat(d.getTimestampMs()).isGreaterThan(stepAtMs));
        });
      }
      assertThat(decisions).as("controller decisions").isNotEmpty()
          .allSatisfy(d -> assertThat(d.getSource()).isEqualTo(DecisionSource.CONTROLLER));

      List<MetricsSnapshot> windows = new ArrayList<>();
      try (TopicReader<MetricsSnapshot> reader =
          new TopicReader<>(kafka, settings.metricsTopic(), SingleObjectCodec.METRICS)) {
        await("metrics windows after the load step").atMost(READ_TIMEOUT).pollInSameThread().untilAsserted(() -> {
          reader.poll(Duration.ofMillis(200), windows::add);
          assertThat(batchSizesSince(windows, stepAtMs)).as("batch sizes in metrics windows after the step")
              .hasSizeGreaterThan(1);
        });
      }
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

  /** The distinct batch sizes of the windows that started at or after {@code sinceMs} and served queries. */
  private static List<Integer> batchSizesSince(List<MetricsSnapshot> windows, long sinceMs) {
    return windows.stream()
        .filter(w -> w.getWindowStartMs() >= sinceMs && w.getOkCount() > 0)
        .map(MetricsSnapshot::getBatchSize)
        .distinct()
        .collect(Collectors.toList());
  }
}

package io.deeprec.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.deeprec.job.DeepRecJob;
import io.deeprec.job.DeepRecOptions;
import io.deeprec.job.JobSettings;
import io.deeprec.job.cli.ControlCommand;
import io.deeprec.job.kafka.TopicReader;
import io.deeprec.job.load.JobReadiness;
import io.deeprec.job.load.OpenLoopSender;
import io.deeprec.job.load.QueryGenerator;
import io.deeprec.schema.ControlDecision;
import io.deeprec.schema.DecisionSource;
import io.deeprec.schema.RecResult;
import io.deeprec.schema.SingleObjectCodec;
import io.deeprec.workload.QuerySizes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/**
 * A manual pin is controller state that survives a failover: pin rmc1 under deeprecsched, take a
 * checkpoint, kill a TaskManager; after the restart every query still runs at the pinned size and
 * the controller publishes nothing for the pinned model.
 */
class PinAcrossFailoverITCase {

  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER = TestJobs.miniCluster(2, 2);

  @RegisterExtension
  static final EmbeddedKafka KAFKA = new EmbeddedKafka();

  private static final Duration TIMEOUT = Duration.ofMinutes(2);
  /** Results after the restart that must all show the pin: well over the windows a climb step takes. */
  private static final int RESULTS_AFTER_RESTART = 400;

  /**
   * Input: rmc1 at 40 queries/s under deeprecsched (0.5 s metrics windows, two windows per step, so
   * an unpinned controller would publish within seconds); a pin to batch 24; a checkpoint; the
   * oldest TaskManager killed and replaced. Output: the 400 results of queries sent after the kill
   * ran at batch 24, and no controller decision for rmc1 was published after the kill.
   */
  @Test
  void aPinHoldsAcrossATaskManagerKill(@InjectMiniCluster MiniCluster miniCluster) throws Exception {
    Properties kafka = KAFKA.clientProperties();
    String prefix = "pin-failover";
    Configuration conf = TestJobs.jobConf(KAFKA.bootstrapServers(), prefix, List.of("rmc1"));
    conf.set(DeepRecOptions.POLICY, "deeprecsched");
    conf.set(DeepRecOptions.METRICS_WINDOW, Duration.ofMillis(500));
    conf.set(DeepRecOptions.STEP_WINDOWS, 2);
    conf.set(DeepRecOptions.WATCH_WINDOWS, 4);
    conf.setString(DeepRecOptions.DELIVERY.key(), "at-least-once");
    conf.set(DeepRecOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(1));

    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    TestJobs.restartOnFailure(env, 10);
    JobSettings settings = DeepRecJob.define(env, conf);
    long submittedMs = System.currentTimeMillis();
    JobClient client = env.executeAsync("pin-across-failover");
    AtomicBoolean loading = new AtomicBoolean(true);
    try (OpenLoopSender sender = new OpenLoopSender(kafka, settings.queriesTopic());
        TopicReader<RecResult> results = new TopicReader<>(kafka, settings.resultsTopic(), SingleObjectCodec.RESULT);
        JobReadiness readiness = new JobReadiness(kafka, settings.metricsTopic())) {
      // The control topic is read from its end at a first start: a pin sent before the job reads it is not this job's.
      readiness.await(List.of("rmc1"), submittedMs, TIMEOUT, client);
      QueryGenerator generator = new QueryGenerator(List.of("rmc1"), QuerySizes.fixed(100), 11, prefix, 10);
      Thread load = new Thread(() -> {
        for (int chunk = 0; loading.get(); chunk++) {
          sender.run(generator, 40, 1_000, chunk);
        }
      });
      load.start();
      try {
        pinAndFailOver(miniCluster, client, settings, results);
      } finally {
        loading.set(false);
        load.join();
      }
    } finally {
      TestJobs.stop(client);
    }
  }

  private static void pinAndFailOver(MiniCluster miniCluster, JobClient client, JobSettings settings,
      TopicReader<RecResult> results) throws Exception {
    Properties kafka = KAFKA.clientProperties();
    long pinnedAtMs = System.currentTimeMillis();
    int exit = new CommandLine(new ControlCommand()).execute("--bootstrap-servers", KAFKA.bootstrapServers(),
        "--topic", settings.controlTopic(), "--model", "rmc1", "--batch-size", "24");
    assertThat(exit).isZero();
    List<Integer> batchSizesSincePin = new ArrayList<>();
    await("the pin applied: the last 40 results ran at batch 24").atMost(TIMEOUT).pollInSameThread().until(() -> {
      results.poll(Duration.ofMillis(200), r -> {
        if (r.getArrivalTimeMs() > pinnedAtMs) {
          batchSizesSincePin.add(r.getBatchSizeSetting());
        }
      });
      int seen = batchSizesSincePin.size();
      return seen >= 40 && batchSizesSincePin.subList(seen - 40, seen).stream().allMatch(b -> b == 24);
    });
    // A checkpoint that holds the pin, so the restart restores it rather than re-reading it.
    miniCluster.triggerCheckpoint(client.getJobID()).get();

    miniCluster.startTaskManager();
    miniCluster.terminateTaskManager(0).get();
    long killedAtMs = System.currentTimeMillis();

    List<RecResult> afterKill = new ArrayList<>();
    await("results of queries sent after the kill").atMost(TIMEOUT).pollInSameThread().until(() -> {
      results.poll(Duration.ofMillis(200), r -> {
        if (r.getArrivalTimeMs() > killedAtMs) {
          afterKill.add(r);
        }
      });
      return afterKill.size() >= RESULTS_AFTER_RESTART;
    });

    assertThat(afterKill).as("results after the restart").allSatisfy(r ->
        assertThat(r.getBatchSizeSetting()).as(r.getQueryId()).isEqualTo(24));
    List<ControlDecision> controllerDecisions = new ArrayList<>();
    try (TopicReader<ControlDecision> control =
        new TopicReader<>(kafka, settings.controlTopic(), SingleObjectCodec.CONTROL)) {
      // The pin itself is on the topic: reading up to it shows the topic was read through.
      await("the control topic read through the pin").atMost(TIMEOUT).pollInSameThread().until(() -> {
        control.poll(Duration.ofMillis(200), controllerDecisions::add);
        return controllerDecisions.stream().anyMatch(d -> d.getSource() == DecisionSource.MANUAL);
      });
      control.poll(Duration.ofSeconds(1), controllerDecisions::add);
    }
    assertThat(controllerDecisions)
        .filteredOn(d -> d.getSource() == DecisionSource.CONTROLLER && d.getTimestampMs() > killedAtMs)
        .as("controller decisions for the pinned model after the failover").isEmpty();
  }
}

package io.deeprec.it;

import io.deeprec.job.DeepRecOptions;
import java.util.List;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/** What the ITCases share: a MiniCluster of a given size and a small job on its own topics. */
final class TestJobs {

  private TestJobs() {}

  static MiniClusterExtension miniCluster(int taskManagers, int slotsPerTaskManager) {
    return new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
        .setNumberTaskManagers(taskManagers)
        .setNumberSlotsPerTaskManager(slotsPerTaskManager)
        .build());
  }

  /**
   * A job serving {@code models} at a tiny table scale, on topics named {@code prefix.queries},
   * {@code prefix.results}, ... so that test classes sharing a broker never see each other's records.
   */
  static Configuration jobConf(String bootstrapServers, String prefix, List<String> models) {
    Configuration conf = new Configuration();
    conf.set(DeepRecOptions.BOOTSTRAP_SERVERS, bootstrapServers);
    conf.set(DeepRecOptions.MODELS, models);
    conf.set(DeepRecOptions.TABLE_SCALE, 0.002);
    conf.set(DeepRecOptions.TOPIC_PARTITIONS, 2);
    conf.set(DeepRecOptions.QUERIES_TOPIC, prefix + ".queries");
    conf.set(DeepRecOptions.RESULTS_TOPIC, prefix + ".results");
    conf.set(DeepRecOptions.METRICS_TOPIC, prefix + ".metrics");
    conf.set(DeepRecOptions.DEAD_LETTER_TOPIC, prefix + ".dead-letter");
    conf.set(DeepRecOptions.CONTROL_TOPIC, prefix + ".control");
    // Most scenarios send queries as soon as the job is submitted, before it announces readiness:
    // their topics are fresh, so reading from the start loses nothing. A short warm-up keeps CI quick.
    conf.setString(DeepRecOptions.STARTING_OFFSETS.key(), "earliest");
    conf.set(DeepRecOptions.WARMUP_QUERIES, 20);
    // The warm-up goes on in the background while a scenario's load runs: bound it.
    conf.set(DeepRecOptions.WARMUP_TIMEOUT, java.time.Duration.ofSeconds(30));
    // Scenarios that check every query is scored must not shed any as stale on a slow machine.
    conf.set(DeepRecOptions.MAX_AGE, java.time.Duration.ofMinutes(10));
    return conf;
  }

  /** Restarts the job after a failure up to {@code attempts} times, 500 ms apart (failover scenarios). */
  static void restartOnFailure(org.apache.flink.streaming.api.environment.StreamExecutionEnvironment env, int attempts) {
    Configuration restarts = new Configuration();
    restarts.set(org.apache.flink.configuration.RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    restarts.set(org.apache.flink.configuration.RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, attempts);
    restarts.set(org.apache.flink.configuration.RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY,
        java.time.Duration.ofMillis(500));
    env.configure(restarts);
  }

  /** Cancels the job; if it had failed instead, surfaces why. */
  static void stop(JobClient client) throws Exception {
    JobStatus status = client.getJobStatus().get();
    if (status == JobStatus.FAILED) {
      try {
        client.getJobExecutionResult().get();
      } catch (Exception e) {
        throw new AssertionError("the job failed", e);
      }
    }
    if (!status.isGloballyTerminalState()) {
      client.cancel().get();
    }
  }
}

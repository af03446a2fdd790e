package io.deeprec.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.legacy.DiscardingSink;
import org.junit.jupiter.api.Test;

class LocalClusterTest {

  /** Fails its first attempt: the job restarts once, then finishes. */
  static final class FailsOnce extends RichMapFunction<Long, Long> {
    @Override
    public void open(OpenContext openContext) {
      if (getRuntimeContext().getTaskInfo().getAttemptNumber() == 0) {
        throw new IllegalStateException("first attempt fails on purpose");
      }
    }

    @Override
    public Long map(Long value) {
      return value;
    }
  }

  @Test
  void aJobThatFailedOnceReportsOneRestartAndItsCause() throws Exception {
    Configuration conf = new Configuration();
    conf.set(RestOptions.BIND_PORT, "0");
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
    try (LocalCluster cluster = new LocalCluster(conf, 1, 2)) {
      StreamExecutionEnvironment env = cluster.environment(conf, 2);
      env.fromSequence(1, 100).map(new FailsOnce()).addSink(new DiscardingSink<>());
      JobClient client = env.executeAsync("fails once");
      assertThat(client.getJobExecutionResult().get()).isNotNull();
      assertThat(client.getJobStatus().get()).isEqualTo(JobStatus.FINISHED);

      LocalCluster.Restarts restarts = cluster.restarts(client.getJobID());
      assertThat(restarts.count()).isEqualTo(1);
      assertThat(restarts.latestFailure()).contains("first attempt fails on purpose");
    }
  }

  @Test
  void aJobThatNeverFailedReportsNoRestart() throws Exception {
    Configuration conf = new Configuration();
    conf.set(RestOptions.BIND_PORT, "0");
    try (LocalCluster cluster = new LocalCluster(conf, 2)) {
      StreamExecutionEnvironment env = cluster.environment(conf, 2);
      env.fromSequence(1, 100).addSink(new DiscardingSink<>());
      JobClient client = env.executeAsync("never fails");
      client.getJobExecutionResult().get();

      LocalCluster.Restarts restarts = cluster.restarts(client.getJobID());
      assertThat(restarts.count()).isZero();
      assertThat(restarts.latestFailure()).isEmpty();
    }
  }
}

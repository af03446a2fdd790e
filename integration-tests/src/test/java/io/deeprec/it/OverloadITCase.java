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
import io.deeprec.schema.MetricsSnapshot;
import io.deeprec.schema.RecQuery;
import io.deeprec.schema.ResultStatus;
import io.deeprec.schema.SingleObjectCodec;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Overload: a burst far above capacity backpressures the job instead of growing queues without
 * bound; queries whose deadline passes while they wait are answered EXPIRED without model time;
 * nothing is lost and the lag drains afterwards.
 */
class OverloadITCase {

  private static final int CAPACITY = 8;
  private static final int PARALLELISM = 2;

  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER = TestJobs.miniCluster(1, PARALLELISM);

  @RegisterExtension
  static final EmbeddedKafka KAFKA = new EmbeddedKafka();

  /**
   * Input: 50 QPS of steady load, then a burst of 4,000 queries sent at once (well over 10x the
   * steady rate), half of them with a 300 ms deadline. Output: all 4,000 + steady queries
   * answered exactly once, some EXPIRED (shed), the CPU queue never deeper than the in-flight
   * bound, and metrics windows counting the expired queries.
   */
  @Test
  void burstBackpressuresShedsExpiredQueriesAndLosesNothing() throws Exception {
    Properties kafka = KAFKA.clientProperties();
    String prefix = "overload";
    Configuration conf = TestJobs.jobConf(KAFKA.bootstrapServers(), prefix, List.of("rmc1"));
    conf.set(DeepRecOptions.CAPACITY, CAPACITY);
    conf.setString(DeepRecOptions.DELIVERY.key(), "at-least-once");

    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(PARALLELISM);
    JobSettings settings = DeepRecJob.define(env, conf);
    JobClient client = env.executeAsync("overload");
    try (OpenLoopSender sender = new OpenLoopSender(kafka, settings.queriesTopic());
        ResultTracker tracker = new ResultTracker(kafka, settings.resultsTopic(), prefix + "-")) {
      QueryGenerator generator = new QueryGenerator(List.of("rmc1"), QuerySizes.lognormal(5.1, 0.2), 4, prefix, 10);
      sender.run(generator, 50, 3_000, 1);
      for (int i = 0; i < 4_000; i++) {
        RecQuery query = generator.next(System.currentTimeMillis());
        if (i % 2 == 0) {
          query.setDeadlineMs(query.getArrivalTimeMs() + 300);
        }
        sender.send(query);
      }
      sender.flush();

      ResultTracker.Snapshot done = tracker.awaitAnswered(generator.generated(), Duration.ofMinutes(4));

      assertThat(done.answered()).as("answered").isEqualTo(generator.generated());
      assertThat(done.duplicates()).isZero();
      assertThat(done.count(ResultStatus.EXPIRED)).as("expired (shed) queries").isPositive();
      assertThat(done.count(ResultStatus.REJECTED)).isZero();
      // The windows counting the last expired queries close after their answers: read until they are in.
      long[] expiredInMetrics = {0};
      long[] deepestQueue = {0};
      try (TopicReader<MetricsSnapshot> reader =
          new TopicReader<>(kafka, settings.metricsTopic(), SingleObjectCodec.METRICS)) {
        await("metrics windows counting every expired query").atMost(Duration.ofSeconds(60)).pollInSameThread()
            .untilAsserted(() -> {
              reader.poll(Duration.ofMillis(200), window -> {
                expiredInMetrics[0] += window.getExpiredCount();
                deepestQueue[0] = Math.max(deepestQueue[0], window.getQueueDepth());
              });
              assertThat(expiredInMetrics[0]).as("expired queries counted in metrics")
                  .isEqualTo(done.count(ResultStatus.EXPIRED));
            });
      }
      // The burst queued for the workers, and every queued request is in flight in an async
      // operator: the operators' capacity bounds the queue, as the windows report it.
      assertThat(deepestQueue[0]).as("deepest CPU queue in the metrics windows")
          .isPositive().isLessThanOrEqualTo(CAPACITY * PARALLELISM);
    } finally {
      TestJobs.stop(client);
    }
  }
}

package io.deeprec.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.deeprec.job.DeepRecJob;
import io.deeprec.job.DeepRecOptions;
import io.deeprec.job.JobSettings;
import io.deeprec.job.kafka.TopicReader;
import io.deeprec.job.load.JobReadiness;
import io.deeprec.job.load.OpenLoopSender;
import io.deeprec.job.load.QueryGenerator;
import io.deeprec.schema.MetricsSnapshot;
import io.deeprec.schema.RecQuery;
import io.deeprec.schema.RecResult;
import io.deeprec.schema.ResultStatus;
import io.deeprec.schema.SingleObjectCodec;
import io.deeprec.warmup.WarmupProgress;
import io.deeprec.workload.QuerySizes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a consumer of the results topic sees, in both delivery modes, with the job's start-up
 * defaults: a new consumer group starts at the latest offset, the client waits for the job's
 * readiness announcement, and a plain read_committed {@code KafkaConsumer} on its own thread
 * counts the answers.
 */
class DeliveryITCase {

  private static final int QUERIES = 300;

  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER = TestJobs.miniCluster(1, 2);

  @RegisterExtension
  static final EmbeddedKafka KAFKA = new EmbeddedKafka();

  /**
   * Input: 20 queries left in the topic before the job starts; after readiness, 300 queries at
   * 100/s, one query sent an hour ago (older than the 30 s maximum age), then 20 more. Output: each
   * of the 320 answered exactly once, OK, keyed by its query id; the stale one EXPIRED with no model
   * time and counted in the metrics; none of the leftovers and none of the warm-up queries answered
   * on the results topic; the job still running.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"at-least-once", "exactly-once"})
  void everyQuerySentAfterReadinessIsAnsweredOnceAndAStaleOneExpires(String delivery) throws Exception {
    Properties kafka = KAFKA.clientProperties();
    String prefix = "delivery-" + delivery;
    Configuration conf = TestJobs.jobConf(KAFKA.bootstrapServers(), prefix, List.of("rmc1"));
    conf.setString(DeepRecOptions.STARTING_OFFSETS.key(), DeepRecOptions.DEFAULT_STARTING_OFFSETS);
    conf.setString(DeepRecOptions.DELIVERY.key(), delivery);
    conf.set(DeepRecOptions.MAX_AGE, Duration.ofSeconds(30));
    conf.set(DeepRecOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(500));
    conf.set(DeepRecOptions.METRICS_WINDOW, Duration.ofMillis(500));

    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    JobSettings settings = DeepRecJob.define(env, conf);
    try (OpenLoopSender sender = new OpenLoopSender(kafka, settings.queriesTopic());
        JobReadiness readiness = new JobReadiness(kafka, settings.metricsTopic());
        ResultsConsumer consumer = new ResultsConsumer(kafka, settings.resultsTopic())) {
      QueryGenerator leftovers = new QueryGenerator(List.of("rmc1"), QuerySizes.fixed(16), 1, prefix + "-leftover", 5);
      for (int i = 0; i < 20; i++) {
        sender.send(leftovers.next(System.currentTimeMillis()));
      }
      sender.flush();

      long submitted = System.currentTimeMillis();
      JobClient client = env.executeAsync("delivery " + delivery);
      try {
        Map<String, MetricsSnapshot> ready = readiness.await(List.of("rmc1"), submitted, Duration.ofMinutes(3), client);
        assertThat(ready.get("rmc1").getEvent()).startsWith("ready");

        QueryGenerator fresh = new QueryGenerator(List.of("rmc1"), QuerySizes.lognormal(5.1, 0.2), 2, prefix + "-q", 5);
        long sent = sender.run(fresh, 100, QUERIES * 10L, 3);
        RecQuery stale = RecQuery.newBuilder(fresh.next(System.currentTimeMillis() - Duration.ofHours(1).toMillis()))
            .setQueryId(prefix + "-stale").build();
        sender.send(stale);
        QueryGenerator tail = new QueryGenerator(List.of("rmc1"), QuerySizes.fixed(16), 4, prefix + "-tail", 5);
        List<String> expected = new ArrayList<>();
        for (long i = 0; i < sent; i++) {
          expected.add(prefix + "-q-" + i);
        }
        consumer.awaitAnswered(expected, Duration.ofMinutes(3));
        // Sent after every answer was seen: a repeat of an earlier result would come before these.
        for (int i = 0; i < 20; i++) {
          RecQuery query = tail.next(System.currentTimeMillis());
          expected.add(query.getQueryId());
          sender.send(query);
        }
        sender.flush();
        expected.add(stale.getQueryId());
        consumer.awaitAnswered(expected, Duration.ofMinutes(2));

        Map<String, List<RecResult>> results = consumer.results();
        assertThat(results.keySet()).as("answered query ids").containsExactlyInAnyOrderElementsOf(expected);
        assertThat(results.values()).as("results per query id").allSatisfy(list -> assertThat(list).hasSize(1));
        assertThat(consumer.keys()).as("record keys").allSatisfy((id, key) -> assertThat(key).isEqualTo(id));
        expected.stream().filter(id -> !id.equals(stale.getQueryId())).forEach(id ->
            assertThat(results.get(id).get(0).getStatus()).as(id).isEqualTo(ResultStatus.OK));
        assertThat(results.get(stale.getQueryId()).get(0)).satisfies(result -> {
          assertThat(result.getStatus()).isEqualTo(ResultStatus.EXPIRED);
          assertThat(result.getReason()).contains("older than the maximum age");
          assertThat(result.getInferenceMs()).isZero();
          assertThat(result.getWorkMs()).isZero();
        });
        assertThat(results.keySet()).as("no leftover and no warm-up query answered on the results topic")
            .noneMatch(id -> id.startsWith(prefix + "-leftover") || WarmupProgress.isWarmup(id));
        assertThat(expiredInMetrics(kafka, settings.metricsTopic())).as("stale queries counted in the metrics")
            .isEqualTo(1);
        assertThat(client.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
      } finally {
        TestJobs.stop(client);
      }
    }
  }

  /** Reads the metrics topic until its windows count one expired query (or 60 s of nothing more). */
  private static long expiredInMetrics(Properties kafka, String topic) {
    long expired = 0;
    try (TopicReader<MetricsSnapshot> reader = new TopicReader<>(kafka, topic, SingleObjectCodec.METRICS)) {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (expired < 1 && System.nanoTime() < deadline) {
        long[] sum = {0};
        reader.poll(Duration.ofMillis(500), window -> sum[0] += window.getExpiredCount());
        expired += sum[0];
      }
    }
    return expired;
  }
}

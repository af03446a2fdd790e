package io.deeprec.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.deeprec.job.DeepRecJob;
import io.deeprec.job.DeepRecOptions;
import io.deeprec.job.JobSettings;
import io.deeprec.job.kafka.TopicReader;
import io.deeprec.job.load.OpenLoopSender;
import io.deeprec.job.load.QueryGenerator;
import io.deeprec.workload.QuerySizes;
import io.deeprec.schema.DeadLetter;
import io.deeprec.schema.MetricsSnapshot;
import io.deeprec.schema.RecQuery;
import io.deeprec.schema.RecResult;
import io.deeprec.schema.ResultStatus;
import io.deeprec.schema.ScoredItem;
import io.deeprec.schema.SingleObjectCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The end-to-end serving scenario, shared by the embedded-broker ITCase and the Testcontainers
 * suite: 2,000 valid queries over several models plus one malformed record of each kind go in;
 * exactly one ranked result per valid query and one reasoned dead letter per malformed record
 * come out, the metrics topic accounts for every query, and the job is still running.
 */
final class ServingScenario {

  static final int VALID_QUERIES = 2_000;

  private final Properties kafka;
  private final List<String> models;
  private final String topicPrefix;

  ServingScenario(Properties kafka, List<String> models, String topicPrefix) {
    this.kafka = kafka;
    this.models = models;
    this.topicPrefix = topicPrefix;
  }

  Configuration configuration() {
    Configuration conf = TestJobs.jobConf(kafka.getProperty("bootstrap.servers"), topicPrefix, models);
    conf.set(DeepRecOptions.BATCH_SIZE, 64);
    conf.set(DeepRecOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(2));
    conf.set(DeepRecOptions.METRICS_WINDOW, Duration.ofMillis(500));
    return conf;
  }

  void run(StreamExecutionEnvironment env) throws Exception {
    Configuration conf = configuration();
    JobSettings settings = DeepRecJob.define(env, conf);
    JobClient client = env.executeAsync("serving-scenario " + topicPrefix);
    try {
      Map<String, RecQuery> sent = new LinkedHashMap<>();
      Map<String, byte[]> malformed = new LinkedHashMap<>();
      try (OpenLoopSender sender = new OpenLoopSender(kafka, settings.queriesTopic())) {
        QueryGenerator generator = new QueryGenerator(models, QuerySizes.lognormal(5.1, 0.2), 11, topicPrefix, 10);
        for (int i = 0; i < VALID_QUERIES; i++) {
          RecQuery query = generator.next(System.currentTimeMillis());
          sent.put(query.getQueryId(), query);
          sender.send(query);
          if (i % 500 == 250) {
            malformed.putAll(sendMalformed(sender, i));
          }
        }
        sender.flush();
      }

      List<RecResult> results;
      try (TopicReader<RecResult> reader = new TopicReader<>(kafka, settings.resultsTopic(), SingleObjectCodec.RESULT)) {
        results = reader.readAtLeast(VALID_QUERIES, Duration.ofMinutes(4));
        // Anything extra (a duplicate) would arrive right behind.
        reader.poll(Duration.ofSeconds(2), results::add);
      }
      assertOneRankedResultPerQuery(sent, results);

      List<DeadLetter> deadLetters;
      try (TopicReader<DeadLetter> reader =
          new TopicReader<>(kafka, settings.deadLetterTopic(), SingleObjectCodec.DEAD_LETTER)) {
        deadLetters = reader.readAtLeast(malformed.size(), Duration.ofSeconds(60));
      }
      assertEveryMalformedRecordDeadLettered(malformed, deadLetters);

      assertMetricsAccountForEveryQuery(settings, sent);

      assertThat(client.getJobStatus().get()).as("job status after the scenario").isEqualTo(JobStatus.RUNNING);
    } finally {
      TestJobs.stop(client);
    }
  }


  /** One of each kind of bad record; returns each under the key that names its expected reason. */
  private Map<String, byte[]> sendMalformed(OpenLoopSender sender, int round) {
    Map<String, byte[]> bad = new LinkedHashMap<>();
    bad.put("not Avro single-object encoded#" + round, ("garbage " + round).getBytes(StandardCharsets.UTF_8));
    RecResult wrongType = RecResult.newBuilder().setQueryId("x").setModel("rmc1").setStatus(ResultStatus.OK)
        .setArrivalTimeMs(1).setCompletedTimeMs(1).setQueueMs(0).setInferenceMs(0).setTotalMs(0)
        .setBatchSize(1).setRequests(1).setDevice("cpu").build();
    bad.put("unknown schema fingerprint#" + round, SingleObjectCodec.RESULT.encode(wrongType));
    RecQuery template = RecQuery.newBuilder().setQueryId("bad-" + round).setModel(models.get(0)).setUserId(1)
        .setCandidateIds(List.of(1L, 2L)).setArrivalTimeMs(System.currentTimeMillis()).setTopK(2).build();
    bad.put("unknown model 'gpt'#" + round,
        SingleObjectCodec.QUERY.encode(RecQuery.newBuilder(template).setQueryId("bad-model-" + round).setModel("gpt").build()));
    bad.put("empty candidate list#" + round,
        SingleObjectCodec.QUERY.encode(RecQuery.newBuilder(template).setQueryId("bad-empty-" + round).setCandidateIds(List.of()).build()));
    byte[] valid = SingleObjectCodec.QUERY.encode(template);
    bad.put("malformed RecQuery body#" + round, Arrays.copyOf(valid, valid.length - 9));
    bad.forEach((reason, bytes) -> sender.sendBytes(null, bytes));
    return bad;
  }

  private static void assertOneRankedResultPerQuery(Map<String, RecQuery> sent, List<RecResult> results) {
    assertRankedAnswers(sent, results, 64);
    for (RecResult result : results) {
      assertThat(result.getTotalMs()).isGreaterThanOrEqualTo(result.getInferenceMs());
      assertThat(result.getDevice()).isEqualTo("cpu");
    }
  }

  /**
   * Exactly one OK result per sent query, with its top k (k = min(topK, N)) drawn from its own
   * candidates, finite scores sorted high to low, and ceil(N / batchSize) requests.
   */
  static void assertRankedAnswers(Map<String, RecQuery> sent, List<RecResult> results, int batchSize) {
    Map<String, Integer> seen = new HashMap<>();
    for (RecResult result : results) {
      seen.merge(result.getQueryId(), 1, Integer::sum);
    }
    assertThat(seen.keySet()).as("answered query ids").containsExactlyInAnyOrderElementsOf(sent.keySet());
    assertThat(seen.values()).as("results per query id").containsOnly(1);
    for (RecResult result : results) {
      RecQuery query = sent.get(result.getQueryId());
      assertThat(result.getStatus()).as("status of %s: %s", result.getQueryId(), result.getReason())
          .isEqualTo(ResultStatus.OK);
      assertThat(result.getModel()).isEqualTo(query.getModel());
      assertThat(result.getItems()).hasSize(Math.min(query.getTopK(), query.getCandidateIds().size()));
      List<Float> scores = new ArrayList<>();
      for (ScoredItem item : result.getItems()) {
        assertThat(query.getCandidateIds()).contains(item.getItemId());
        assertThat(item.getScore()).isFinite();
        scores.add(item.getScore());
      }
      assertThat(scores).isSortedAccordingTo((a, b) -> Float.compare(b, a));
      assertThat(result.getRequests()).isEqualTo((query.getCandidateIds().size() + batchSize - 1) / batchSize);
    }
  }

  private static void assertEveryMalformedRecordDeadLettered(Map<String, byte[]> malformed, List<DeadLetter> deadLetters) {
    assertThat(deadLetters).hasSize(malformed.size());
    malformed.forEach((key, bytes) -> {
      String reason = key.substring(0, key.indexOf('#'));
      assertThat(deadLetters)
          .as("dead letter for a record expected to fail with '%s'", reason)
          .anySatisfy(letter -> {
            byte[] original = new byte[letter.getOriginalBytes().remaining()];
            letter.getOriginalBytes().duplicate().get(original);
            assertThat(original).isEqualTo(bytes);
            assertThat(letter.getReason()).contains(reason);
            assertThat(letter.getOffset()).isNotNegative();
          });
    });
  }

  private void assertMetricsAccountForEveryQuery(JobSettings settings, Map<String, RecQuery> sent) {
    Map<String, Long> expected = new HashMap<>();
    sent.values().forEach(q -> expected.merge(q.getModel(), 1L, Long::sum));
    Map<String, Long> okByModel = new HashMap<>();
    try (TopicReader<MetricsSnapshot> reader =
        new TopicReader<>(kafka, settings.metricsTopic(), SingleObjectCodec.METRICS)) {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!okByModel.equals(expected) && System.nanoTime() < deadline) {
        reader.poll(Duration.ofMillis(200), m -> {
          if (m.getOkCount() > 0) {
            okByModel.merge(m.getModel(), m.getOkCount(), Long::sum);
            assertThat(m.getP95Ms()).isGreaterThan(0).isGreaterThanOrEqualTo(m.getP50Ms());
            assertThat(m.getPolicy()).isEqualTo("fixed");
          }
        });
      }
    }
    assertThat(okByModel).as("OK results counted in the metrics topic, by model").isEqualTo(expected);
  }
}

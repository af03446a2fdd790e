package io.deeprec.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.deeprec.job.DeepRecJob;
import io.deeprec.job.DeepRecOptions;
import io.deeprec.job.JobSettings;
import io.deeprec.job.kafka.TopicReader;
import io.deeprec.job.load.OpenLoopSender;
import io.deeprec.model.FeatureBatch;
import io.deeprec.model.ModelSpec;
import io.deeprec.model.torchscript.ModelManifest;
import io.deeprec.model.torchscript.TorchScriptFixtures;
import io.deeprec.schema.CandidateFeatures;
import io.deeprec.schema.RecQuery;
import io.deeprec.schema.RecResult;
import io.deeprec.schema.ResultStatus;
import io.deeprec.schema.ScoredItem;
import io.deeprec.schema.SingleObjectCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An external model through the product: a TorchScript module that PyTorch wrote, with PyTorch's
 * own scores for fixed inputs, served by the job (embedded real Kafka broker, Flink MiniCluster)
 * from queries that carry those inputs; and a manifest that does not match its module refused
 * before the job or its topics exist.
 */
class TorchScriptServingITCase {
  private static final String MODEL = "tiny-dlrm";
  private static final int ITEMS_PER_QUERY = 10;

  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER = TestJobs.miniCluster(1, 2);

  @RegisterExtension
  static final EmbeddedKafka KAFKA = new EmbeddedKafka();

  @TempDir
  Path tmp;

  /**
   * Input: the 40 golden items as 4 queries of 10 candidates with explicit features, split into
   * requests of 4 items. Output: every candidate's score within 1e-5 of PyTorch's, each result
   * carrying the manifest's version.
   */
  @Test
  void servesEveryScoreAsPyTorchComputedIt() throws Exception {
    Path dir = TorchScriptFixtures.copy(MODEL, tmp);
    TorchScriptFixtures.Golden golden = TorchScriptFixtures.Golden.read(dir);
    Properties kafka = KAFKA.clientProperties();
    Configuration conf = conf(kafka, "torchscript", dir);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    JobSettings settings = DeepRecJob.define(env, conf);
    ModelSpec spec = settings.specs().get(MODEL);
    JobClient client = env.executeAsync("torchscript golden");
    try {
      Map<Long, Float> expected = new HashMap<>();
      int queries = golden.items() / ITEMS_PER_QUERY;
      try (OpenLoopSender sender = new OpenLoopSender(kafka, settings.queriesTopic())) {
        for (int q = 0; q < queries; q++) {
          int from = q * ITEMS_PER_QUERY;
          FeatureBatch batch = golden.batch(spec, from, from + ITEMS_PER_QUERY);
          List<Long> candidates = new ArrayList<>();
          for (int i = 0; i < ITEMS_PER_QUERY; i++) {
            long itemId = 1_000 + from + i;
            candidates.add(itemId);
            expected.put(itemId, golden.scores()[from + i]);
          }
          sender.send(RecQuery.newBuilder().setQueryId("golden-" + q).setModel(MODEL).setUserId(q)
              .setCandidateIds(candidates).setFeatures(features(batch)).setArrivalTimeMs(System.currentTimeMillis())
              .setTopK(ITEMS_PER_QUERY).build());
        }
        sender.flush();
      }
      List<RecResult> results;
      try (TopicReader<RecResult> reader = new TopicReader<>(kafka, settings.resultsTopic(), SingleObjectCodec.RESULT)) {
        results = reader.readAtLeast(queries, Duration.ofMinutes(3));
      }
      assertThat(results).hasSize(queries);
      Map<Long, Float> served = new HashMap<>();
      for (RecResult result : results) {
        assertThat(result.getStatus()).as("%s: %s", result.getQueryId(), result.getReason()).isEqualTo(ResultStatus.OK);
        assertThat(result.getModelVersion()).isEqualTo("1");
        assertThat(result.getRequests()).isEqualTo(3); // 10 items in requests of at most 4
        for (ScoredItem item : result.getItems()) {
          served.put(item.getItemId(), item.getScore());
        }
      }
      assertThat(served.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
      expected.forEach((itemId, score) ->
          assertThat(served.get(itemId)).as("score of item %d", itemId).isCloseTo(score, within(1e-5f)));
    } finally {
      TestJobs.stop(client);
    }
  }

  /** A manifest whose dense width the module does not take stops the start, naming the input; no topic is created. */
  @Test
  void refusesAMismatchedManifestBeforeAnythingStarts() throws Exception {
    Path dir = TorchScriptFixtures.copy(MODEL, tmp);
    Path manifest = dir.resolve(ModelManifest.FILE);
    Files.writeString(manifest, Files.readString(manifest).replace("\"dense\": 13", "\"dense\": 12"));
    Properties kafka = KAFKA.clientProperties();
    Configuration conf = conf(kafka, "torchscript-refused", dir);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    assertThatThrownBy(() -> DeepRecJob.define(env, conf))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at input 'dense'");
    try (Admin admin = Admin.create(kafka)) {
      assertThat(admin.listTopics().names().get()).noneMatch(topic -> topic.startsWith("torchscript-refused."));
    }
  }

  private static Configuration conf(Properties kafka, String prefix, Path dir) {
    Configuration conf = TestJobs.jobConf(kafka.getProperty("bootstrap.servers"), prefix, List.of(MODEL));
    conf.set(DeepRecOptions.MODEL_DIRS, Map.of(MODEL, dir.toString()));
    conf.set(DeepRecOptions.BATCH_SIZE, 4);
    return conf;
  }

  private static CandidateFeatures features(FeatureBatch batch) {
    List<Float> dense = new ArrayList<>();
    for (float value : batch.dense()) {
      dense.add(value);
    }
    List<Integer> sparse = new ArrayList<>();
    for (int id : batch.sparse()) {
      sparse.add(id);
    }
    return CandidateFeatures.newBuilder().setDense(dense).setSparse(sparse).build();
  }
}

package io.deeprec.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.deeprec.job.DeepRecJob;
import io.deeprec.job.DeepRecOptions;
import io.deeprec.job.JobSettings;
import io.deeprec.job.cli.ControlCommand;
import picocli.CommandLine;
import io.deeprec.job.kafka.TopicReader;
import io.deeprec.job.load.OpenLoopSender;
import io.deeprec.job.load.QueryGenerator;
import io.deeprec.model.torchscript.TorchScriptFixtures;
import io.deeprec.schema.MetricsSnapshot;
import io.deeprec.schema.ModelRollout;
import io.deeprec.schema.RecResult;
import io.deeprec.schema.ResultStatus;
import io.deeprec.schema.SingleObjectCodec;
import io.deeprec.workload.QuerySizes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live versions of an external model through the product (embedded real Kafka broker, Flink
 * MiniCluster with two TaskManagers): under 50 queries/s, version 2 is rolled out, then a version
 * whose module is corrupt, then a rollback to version 1, each by a record on the control topic.
 */
class ModelRolloutITCase {
  private static final String MODEL = "tiny-dlrm";
  private static final double RATE = 50;
  private static final long SEND_MS = 12_000;
  private static final long ACTIVATE_AFTER_MS = 1_000;

  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER = TestJobs.miniCluster(2, 1);

  @RegisterExtension
  static final EmbeddedKafka KAFKA = new EmbeddedKafka();

  @TempDir
  Path tmp;

  /**
   * Output: every query answered exactly once, OK; each result scored wholly by one version: the
   * version in force when its query was batched (1 before the rollout, 2 after it and after the
   * failed one, which leaves 2 serving and says why in the results and on the metrics topic, 1
   * after the rollback). The switch time (activation to the first result of version 2) is printed.
   */
  @Test
  void rollsVersionsOutAndBackUnderLoadLosingNothing() throws Exception {
    Path one = TorchScriptFixtures.copy(MODEL, tmp.resolve("one"));
    Path two = TorchScriptFixtures.copy("tiny-dlrm-v2", tmp.resolve("two"));
    Path broken = TorchScriptFixtures.copy("tiny-dlrm-v2", tmp.resolve("broken"));
    Files.writeString(broken.resolve("deeprec-model.json"),
        Files.readString(broken.resolve("deeprec-model.json")).replace("\"version\": \"2\"", "\"version\": \"3\""));
    Files.write(broken.resolve("model.pt"), new byte[] {'n', 'o', 't', ' ', 'a', ' ', 'z', 'i', 'p'});

    Properties kafka = KAFKA.clientProperties();
    Configuration conf = TestJobs.jobConf(kafka.getProperty("bootstrap.servers"), "rollout", List.of(MODEL));
    conf.set(DeepRecOptions.MODEL_DIRS, Map.of(MODEL, one.toString()));
    conf.set(DeepRecOptions.BATCH_SIZE, 64);
    conf.set(DeepRecOptions.METRICS_WINDOW, Duration.ofMillis(500));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    JobSettings settings = DeepRecJob.define(env, conf);
    JobClient client = env.executeAsync("model rollout");
    try (OpenLoopSender sender = new OpenLoopSender(kafka, settings.queriesTopic());
        KafkaProducer<byte[], byte[]> control = controlProducer(kafka)) {
      QueryGenerator generator = new QueryGenerator(List.of(MODEL), QuerySizes.lognormal(5.1, 0.2), 3, "rollout", 10);
      CompletableFuture<Long> sending = CompletableFuture.supplyAsync(() -> sender.run(generator, RATE, SEND_MS, 5));
      long total = (long) (RATE * SEND_MS / 1000);

      ModelRollout toTwo = rolloutAfter(sender, total / 4, control, settings, two, "2");
      ModelRollout toBroken = rolloutAfter(sender, total / 2, control, settings, broken, "3");
      // The rollback as an operator sends it, waiting for the switch to be seen in the results.
      await().atMost(Duration.ofMinutes(1)).until(() -> sender.sent() >= 3 * total / 4);
      ControlCommand rollback = new ControlCommand();
      int code = new CommandLine(rollback).execute(
          "--bootstrap-servers", kafka.getProperty("bootstrap.servers"), "--topic", settings.controlTopic(),
          "--model", MODEL, "--rollout", one.toString(), "--version", "1", "--activate-in", ACTIVATE_AFTER_MS + "ms",
          "--wait-for-switch", "1min", "--results-topic", settings.resultsTopic());
      assertThat(code).as("deeprec control --rollout --wait-for-switch").isZero();
      ModelRollout back = rollback.sentRollout();
      long sent = sending.get(2, TimeUnit.MINUTES);
      sender.flush();

      List<RecResult> results;
      try (TopicReader<RecResult> reader = new TopicReader<>(kafka, settings.resultsTopic(), SingleObjectCodec.RESULT)) {
        results = reader.readAtLeast((int) sent, Duration.ofMinutes(3));
        reader.poll(Duration.ofSeconds(2), results::add);
      }
      assertThat(new HashSet<>(results.stream().map(RecResult::getQueryId).toList())).as("distinct answered")
          .hasSize((int) sent);
      assertThat(results).as("one result per query").hasSize((int) sent);
      Map<String, Integer> byVersion = new HashMap<>();
      for (RecResult result : results) {
        assertThat(result.getStatus()).as("%s: %s", result.getQueryId(), result.getReason()).isEqualTo(ResultStatus.OK);
        String expected = result.getBatchedTimeMs() >= back.getActivateAtMs() ? "1"
            : result.getBatchedTimeMs() >= toTwo.getActivateAtMs() ? "2" : "1";
        assertThat(result.getModelVersion()).as("version of %s, batched at %d", result.getQueryId(),
            result.getBatchedTimeMs()).isEqualTo(expected);
        boolean duringBroken = result.getBatchedTimeMs() >= toBroken.getActivateAtMs()
            && result.getBatchedTimeMs() < back.getActivateAtMs();
        assertThat(result.getRolloutFailure().isEmpty()).as("rollout failure of %s", result.getQueryId())
            .isEqualTo(!duringBroken);
        byVersion.merge(result.getModelVersion() + (duringBroken ? " (3 failed)" : ""), 1, Integer::sum);
      }
      assertThat(byVersion).containsKeys("1", "2", "2 (3 failed)");
      long firstTwo = results.stream().filter(r -> r.getModelVersion().equals("2"))
          .mapToLong(RecResult::getCompletedTimeMs).min().orElseThrow();
      System.out.printf("rollout: %d queries at %.0f/s, results by version %s; version 2 first scored %d ms after "
          + "its activation (%d ms after the rollout record)%n", sent, RATE, byVersion,
          firstTwo - toTwo.getActivateAtMs(), firstTwo - toTwo.getTimestampMs());

      assertTheMetricsTopicReportsTheFailedLoad(kafka, settings);
    } finally {
      TestJobs.stop(client);
    }
  }

  /** Once {@code afterSent} queries went out, writes a rollout of {@code dir} due one second later. */
  private static ModelRollout rolloutAfter(OpenLoopSender sender, long afterSent, KafkaProducer<byte[], byte[]> control,
      JobSettings settings, Path dir, String version) throws Exception {
    await().atMost(Duration.ofMinutes(1)).until(() -> sender.sent() >= afterSent);
    long now = System.currentTimeMillis();
    ModelRollout rollout = ModelRollout.newBuilder().setModel(MODEL).setDir(dir.toString()).setVersion(version)
        .setActivateAtMs(now + ACTIVATE_AFTER_MS).setTimestampMs(now).build();
    control.send(new ProducerRecord<>(settings.controlTopic(), MODEL.getBytes(StandardCharsets.UTF_8),
        SingleObjectCodec.ROLLOUT.encode(rollout))).get(30, TimeUnit.SECONDS);
    return rollout;
  }

  private static void assertTheMetricsTopicReportsTheFailedLoad(Properties kafka, JobSettings settings) {
    List<MetricsSnapshot> failures = new ArrayList<>();
    try (TopicReader<MetricsSnapshot> reader =
        new TopicReader<>(kafka, settings.metricsTopic(), SingleObjectCodec.METRICS)) {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (failures.isEmpty() && System.nanoTime() < deadline) {
        reader.poll(Duration.ofMillis(200), m -> {
          if (m.getRolloutFailure() != null) {
            failures.add(m);
          }
        });
      }
    }
    assertThat(failures).as("metrics windows reporting the failed load").isNotEmpty();
    assertThat(failures.get(0).getRolloutFailure()).contains("version 3").contains("failed to load");
    assertThat(failures.get(0).getModelVersion()).isEqualTo("2");
  }

  private static KafkaProducer<byte[], byte[]> controlProducer(Properties kafka) {
    Properties props = new Properties();
    props.putAll(kafka);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return new KafkaProducer<>(props);
  }
}

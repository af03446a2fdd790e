package io.deeprec.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.deeprec.job.DeepRecJob;
import io.deeprec.job.DeepRecOptions;
import io.deeprec.job.JobSettings;
import io.deeprec.job.kafka.TopicReader;
import io.deeprec.job.load.OpenLoopSender;
import io.deeprec.schema.DeadLetter;
import io.deeprec.schema.QueryWriterVersions;
import io.deeprec.schema.RecQuery;
import io.deeprec.schema.RecResult;
import io.deeprec.schema.ResultStatus;
import io.deeprec.schema.SingleObjectCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Producers on other versions of RecQuery through the product (embedded real Kafka broker, Flink
 * MiniCluster): the job is told of a newer version (adds a field), an older one (lacks the
 * optional deadline) and an incompatible one (user id a string) by their .avsc files.
 */
class SchemaEvolutionITCase {
  private static final int PER_VERSION = 20;

  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER = TestJobs.miniCluster(1, 2);

  @RegisterExtension
  static final EmbeddedKafka KAFKA = new EmbeddedKafka();

  @TempDir
  Path tmp;

  /**
   * Output: every query of the job's, the newer and the older version answered OK, each once;
   * every query of the incompatible version dead-lettered with the reason; the job still running.
   */
  @Test
  void servesCompatibleWritersAndDeadLettersAnIncompatibleOne() throws Exception {
    Map<String, Schema> writers = Map.of("newer", QueryWriterVersions.newer(), "older", QueryWriterVersions.older(),
        "incompatible", QueryWriterVersions.incompatible());
    Path schemas = Files.createDirectories(tmp.resolve("writers"));
    for (Map.Entry<String, Schema> writer : writers.entrySet()) {
      Files.writeString(schemas.resolve(writer.getKey() + ".avsc"), writer.getValue().toString(true));
    }
    Properties kafka = KAFKA.clientProperties();
    Configuration conf = TestJobs.jobConf(kafka.getProperty("bootstrap.servers"), "evolution", List.of("rmc1"));
    conf.set(DeepRecOptions.QUERY_WRITER_SCHEMAS, schemas.toString());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    JobSettings settings = DeepRecJob.define(env, conf);
    JobClient client = env.executeAsync("schema evolution");
    try {
      Map<String, String> versionOf = new HashMap<>();
      try (OpenLoopSender sender = new OpenLoopSender(kafka, settings.queriesTopic())) {
        for (int i = 0; i < PER_VERSION; i++) {
          for (String version : List.of("current", "newer", "older", "incompatible")) {
            RecQuery query = query(version + "-" + i);
            versionOf.put(query.getQueryId(), version);
            sender.sendBytes(null, version.equals("current") ? SingleObjectCodec.QUERY.encode(query)
                : QueryWriterVersions.encode(writers.get(version), query));
          }
        }
        sender.flush();
      }
      List<RecResult> results;
      try (TopicReader<RecResult> reader = new TopicReader<>(kafka, settings.resultsTopic(), SingleObjectCodec.RESULT)) {
        results = reader.readAtLeast(3 * PER_VERSION, Duration.ofMinutes(3));
        reader.poll(Duration.ofSeconds(2), results::add);
      }
      Map<String, Integer> answered = new HashMap<>();
      for (RecResult result : results) {
        assertThat(result.getStatus()).as("%s: %s", result.getQueryId(), result.getReason()).isEqualTo(ResultStatus.OK);
        answered.merge(versionOf.get(result.getQueryId()), 1, Integer::sum);
      }
      assertThat(answered).isEqualTo(Map.of("current", PER_VERSION, "newer", PER_VERSION, "older", PER_VERSION));

      List<DeadLetter> deadLetters;
      try (TopicReader<DeadLetter> reader =
          new TopicReader<>(kafka, settings.deadLetterTopic(), SingleObjectCodec.DEAD_LETTER)) {
        deadLetters = reader.readAtLeast(PER_VERSION, Duration.ofSeconds(60));
      }
      assertThat(deadLetters).hasSize(PER_VERSION).allSatisfy(letter ->
          assertThat(letter.getReason()).contains("is incompatible with RecQuery").contains("userId"));
      assertThat(client.getJobStatus().get()).isEqualTo(org.apache.flink.api.common.JobStatus.RUNNING);
    } finally {
      TestJobs.stop(client);
    }
  }

  private static RecQuery query(String id) {
    return RecQuery.newBuilder().setQueryId(id).setModel("rmc1").setUserId(id.hashCode())
        .setCandidateIds(List.of(1L, 2L, 3L, 4L, 5L)).setArrivalTimeMs(System.currentTimeMillis()).setTopK(3).build();
  }
}

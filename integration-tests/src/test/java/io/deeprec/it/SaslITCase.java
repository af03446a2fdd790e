package io.deeprec.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.deeprec.job.DeepRecJob;
import io.deeprec.job.DeepRecOptions;
import io.deeprec.job.JobSettings;
import io.deeprec.job.kafka.EmbeddedKafkaBroker;
import io.deeprec.job.kafka.KafkaSettings;
import io.deeprec.job.load.OpenLoopSender;
import io.deeprec.job.load.QueryGenerator;
import io.deeprec.workload.QuerySizes;
import io.deeprec.job.load.ResultTracker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job against a broker that requires SASL/PLAIN: credentials come from a Kafka properties
 * file (never the command line); the right ones serve queries, wrong ones fail fast and say so.
 */
class SaslITCase {

  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER = TestJobs.miniCluster(1, 2);

  @RegisterExtension
  static final EmbeddedKafka KAFKA = new EmbeddedKafka(true);

  @TempDir
  Path dir;

  private Path clientProperties(String user, String password) throws IOException {
    Path file = dir.resolve(user + "-" + password.hashCode() + ".properties");
    Files.writeString(file, String.join("\n",
        "security.protocol=SASL_PLAINTEXT",
        "sasl.mechanism=PLAIN",
        "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
            + user + "\" password=\"" + password + "\";",
        ""));
    return file;
  }

  private static Configuration conf(Path properties, String prefix) {
    Configuration conf = TestJobs.jobConf(KAFKA.bootstrapServers(), prefix, List.of("rmc1"));
    conf.set(DeepRecOptions.KAFKA_PROPERTIES_FILE, properties.toString());
    conf.set(DeepRecOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(1));
    return conf;
  }

  /** Input: 200 queries over SASL with the right credentials. Output: 200 results. */
  @Test
  void rightCredentialsServeQueries() throws Exception {
    Configuration conf = conf(clientProperties(EmbeddedKafkaBroker.SASL_USER, EmbeddedKafkaBroker.SASL_PASSWORD), "sasl");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    JobSettings settings = DeepRecJob.define(env, conf);
    JobClient client = env.executeAsync("sasl");
    var kafka = KafkaSettings.from(conf).clientProperties();
    try (OpenLoopSender sender = new OpenLoopSender(kafka, settings.queriesTopic());
        ResultTracker tracker = new ResultTracker(kafka, settings.resultsTopic(), "sasl-")) {
      QueryGenerator generator = new QueryGenerator(List.of("rmc1"), QuerySizes.fixed(32), 1, "sasl", 5);
      for (int i = 0; i < 200; i++) {
        sender.send(generator.next(System.currentTimeMillis()));
      }
      sender.flush();
      ResultTracker.Snapshot done = tracker.awaitAnswered(200, Duration.ofMinutes(2));
      assertThat(done.answered()).isEqualTo(200);
      assertThat(done.duplicates()).isZero();
    } finally {
      TestJobs.stop(client);
    }
  }

  /**
   * Input: a wrong password. Output: the job refuses to start, naming authentication, instead of
   * retrying. The message proves the failure was recognised as one (a broker that does not answer
   * ends in the topic check's timeout, with another message); the wall-clock bound only catches a
   * start that hangs, and is 2 minutes so that no loaded machine reaches it.
   */
  @Test
  void wrongCredentialsFailFastWithAClearMessage() throws Exception {
    Configuration conf = conf(clientProperties(EmbeddedKafkaBroker.SASL_USER, "not-the-password"), "sasl-bad");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    ExecutorService starter = Executors.newSingleThreadExecutor();
    try {
      CompletableFuture<JobSettings> started = CompletableFuture.supplyAsync(() -> DeepRecJob.define(env, conf), starter);

      assertThat(started).failsWithin(Duration.ofMinutes(2))
          .withThrowableThat()
          .havingCause()
          .isInstanceOf(IllegalStateException.class)
          .withMessageContaining("Kafka authentication failed")
          .withMessageContaining("sasl.jaas.config");
    } finally {
      starter.shutdownNow();
    }
  }
}

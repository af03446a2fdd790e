package io.deeprec.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.deeprec.job.kafka.TopicReader;
import io.deeprec.job.load.OpenLoopSender;
import io.deeprec.job.load.QueryGenerator;
import io.deeprec.workload.QuerySizes;
import io.deeprec.schema.RecQuery;
import io.deeprec.schema.RecResult;
import io.deeprec.schema.SingleObjectCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The serving scenario for a job submitted as the cluster job jar (on a standalone cluster or in
 * Flink containers) rather than built in the test JVM: the job's program arguments, batches of
 * queries sent through Kafka, and the check that each query of a batch gets exactly one ranked OK
 * result (the same checks as {@link ServingScenario}).
 */
final class RemoteServingScenario {
  static final String ENTRY_CLASS = "io.deeprec.job.DeepRecJob";
  static final int BATCH_SIZE = 64;

  private final Properties kafka;
  private final String topicPrefix;
  private final QueryGenerator generator;

  RemoteServingScenario(Properties kafka, String topicPrefix, List<String> models) {
    this.kafka = kafka;
    this.topicPrefix = topicPrefix;
    this.generator = new QueryGenerator(models, QuerySizes.lognormal(5.1, 0.2), 17, topicPrefix, 10);
  }

  /** {@code deeprec job} arguments; {@code jobBootstrap} is Kafka as the cluster sees it. */
  List<String> programArgs(String jobBootstrap, List<String> models) {
    return List.of(
        "--bootstrap-servers", jobBootstrap,
        "--models", String.join(",", models),
        "--table-scale", "0.002",
        "--batch-size", Integer.toString(BATCH_SIZE),
        "--workers", "1",
        "-Ddeeprec.topic.queries=" + topicPrefix + ".queries",
        "-Ddeeprec.topic.results=" + topicPrefix + ".results",
        "-Ddeeprec.topic.metrics=" + topicPrefix + ".metrics",
        "-Ddeeprec.topic.dead-letter=" + topicPrefix + ".dead-letter",
        "-Ddeeprec.topic.control=" + topicPrefix + ".control",
        "-Ddeeprec.kafka.topic-partitions=2",
        // Queries are sent before the job announces readiness: read the fresh topic from its start.
        "--starting-offsets", "earliest",
        "-Ddeeprec.warmup.queries=20",
        "-Ddeeprec.checkpoint.interval=2s",
        "-Ddeeprec.metrics.window=1s");
  }

  /** Sends {@code count} queries (lognormal sizes, mean ~165 candidates) and returns them by id. */
  Map<String, RecQuery> send(int count) {
    Map<String, RecQuery> sent = new LinkedHashMap<>();
    try (OpenLoopSender sender = new OpenLoopSender(kafka, topicPrefix + ".queries")) {
      for (int i = 0; i < count; i++) {
        RecQuery query = generator.next(System.currentTimeMillis());
        sent.put(query.getQueryId(), query);
        sender.send(query);
      }
      sender.flush();
      assertThat(sender.failed()).as("queries the producer failed to send").isZero();
    }
    return sent;
  }

  /**
   * Reads the results topic from the beginning until every query in {@code sent} is answered (or
   * {@code timeout}), then a little longer to catch duplicates; asserts exactly one ranked OK
   * result per query. Results of other queries (earlier batches, replays) are ignored.
   */
  void assertAnsweredOnce(Map<String, RecQuery> sent, Duration timeout) {
    List<RecResult> mine = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    try (TopicReader<RecResult> reader = new TopicReader<>(kafka, topicPrefix + ".results", SingleObjectCodec.RESULT)) {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (seen.size() < sent.size() && System.nanoTime() < deadline) {
        reader.poll(Duration.ofMillis(500), result -> collect(sent, result, mine, seen));
      }
      reader.poll(Duration.ofSeconds(2), result -> collect(sent, result, mine, seen));
    }
    ServingScenario.assertRankedAnswers(sent, mine, BATCH_SIZE);
  }

  private static void collect(Map<String, RecQuery> sent, RecResult result, List<RecResult> mine,
      Map<String, Integer> seen) {
    if (sent.containsKey(result.getQueryId())) {
      mine.add(result);
      seen.merge(result.getQueryId(), 1, Integer::sum);
    }
  }

  /** The cluster job jar built by the job module ({@code mvn package}): {@code job/target/deeprec-job-*-cluster.jar}. */
  static Path clusterJobJar() throws Exception {
    Path target = jobTarget();
    try (Stream<Path> files = Files.list(target)) {
      List<Path> jars = files.filter(p -> p.getFileName().toString().matches("deeprec-job-.*-cluster\\.jar"))
          .collect(Collectors.toList());
      assertThat(jars).as("the cluster job jar in %s (build it with: mvn -pl job -am package -DskipTests)", target)
          .hasSize(1);
      return jars.get(0);
    }
  }

  /** The jars the cluster needs beside Flink: DJL and its libraries ({@code job/target/flink-lib}). */
  static List<Path> djlLibJars() throws Exception {
    Path lib = jobTarget().resolve("flink-lib");
    assertThat(lib).as("DJL jars for the cluster (built by: mvn -pl job -am package)").isDirectory();
    try (Stream<Path> files = Files.list(lib)) {
      List<Path> jars = files.filter(p -> p.toString().endsWith(".jar")).sorted().collect(Collectors.toList());
      assertThat(jars).as("jars in %s", lib).isNotEmpty();
      return jars;
    }
  }

  private static Path jobTarget() {
    return Path.of("..", "job", "target").toAbsolutePath().normalize();
  }
}

package io.deeprec.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.deeprec.job.DeepRecJob;
import io.deeprec.job.DeepRecOptions;
import io.deeprec.job.JobSettings;
import io.deeprec.job.load.OpenLoopSender;
import io.deeprec.job.load.QueryGenerator;
import io.deeprec.workload.QuerySizes;
import io.deeprec.schema.RecResult;
import io.deeprec.schema.ResultStatus;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Nothing lost across failures, in both delivery modes: 20,000 queries flow through the job on two
 * TaskManagers while the TaskManagers are killed and replaced three times. A read_committed consumer
 * sees exactly one result per query id with exactly-once delivery; with at-least-once, at least one,
 * and any repeat (after a failure only) carries the same items and scores as the first.
 */
class FailureRecoveryITCase {

  private static final int QUERIES = 20_000;
  private static final int ANSWERED_BETWEEN_KILLS = 4_000;

  /**
   * Index of the oldest live TaskManager: MiniCluster indexes TaskManagers in start order and never
   * reuses an index, and both delivery modes run on the same cluster, one after the other.
   */
  private static int oldestTaskManager = 0;

  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER = TestJobs.miniCluster(2, 2);

  @RegisterExtension
  static final EmbeddedKafka KAFKA = new EmbeddedKafka();

  /**
   * Input: 20,000 queries at 500 QPS; three times, each after another 4,000 queries were answered,
   * both TaskManagers are terminated and replaced by fresh ones. Output: 20,000 distinct OK results
   * (exactly one each with exactly-once; at least one each, repeats identical, with at-least-once),
   * and the job went through RESTARTING.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"exactly-once", "at-least-once"})
  void noQueryLostAcrossTaskManagerKills(String delivery, @InjectMiniCluster MiniCluster miniCluster)
      throws Exception {
    Properties kafka = KAFKA.clientProperties();
    String prefix = "failover-" + delivery;
    Configuration conf = TestJobs.jobConf(KAFKA.bootstrapServers(), prefix, List.of("rmc1"));
    conf.setString(DeepRecOptions.DELIVERY.key(), delivery);
    conf.set(DeepRecOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(1));

    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    TestJobs.restartOnFailure(env, 100);
    JobSettings settings = DeepRecJob.define(env, conf);
    JobClient client = env.executeAsync("failure-recovery " + delivery);
    Set<JobStatus> statuses = ConcurrentHashMap.newKeySet();
    AtomicBoolean watching = new AtomicBoolean(true);
    Thread watcher = new Thread(() -> {
      while (watching.get()) {
        try {
          statuses.add(client.getJobStatus().get());
          java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L); // sampling, not waiting
        } catch (Exception e) {
          return;
        }
      }
    });
    try (OpenLoopSender sender = new OpenLoopSender(kafka, settings.queriesTopic());
        ResultsConsumer consumer = new ResultsConsumer(kafka, settings.resultsTopic())) {
      QueryGenerator generator = new QueryGenerator(List.of("rmc1"), QuerySizes.fixed(16), 3, prefix, 5);
      Thread load = new Thread(() -> {
        // 20,000 queries at 500/s: 40 s; stop at exactly QUERIES.
        sender.run(generator, 500, 40_000, 9);
        while (generator.generated() < QUERIES) {
          sender.send(generator.next(System.currentTimeMillis()));
        }
        sender.flush();
      });
      load.start();
      watcher.start();
      for (int kill = 1; kill <= 3; kill++) {
        consumer.awaitAnsweredCount(prefix, (long) kill * ANSWERED_BETWEEN_KILLS, Duration.ofMinutes(3));
        // Replace both TaskManagers: whichever ran the tasks, the job loses them.
        miniCluster.startTaskManager();
        miniCluster.startTaskManager();
        miniCluster.terminateTaskManager(oldestTaskManager).get();
        miniCluster.terminateTaskManager(oldestTaskManager + 1).get();
        oldestTaskManager += 2;
      }
      load.join();
      long total = generator.generated();
      assertThat(total).isGreaterThanOrEqualTo(QUERIES);
      // The producer is the test's client, not the job under test: a query it failed to write (the broker shares
      // this JVM with TaskManagers being replaced) is sent again, as any client would, and the job must answer it.
      for (int attempt = 0; attempt < 3 && sender.unwritten() > 0; attempt++) {
        System.out.printf("%s: sending again %d queries the producer failed to write (first failure: %s)%n",
            delivery, sender.resendFailed(), sender.firstFailure());
        sender.flush();
      }
      assertThat(sender.unwritten()).as("queries the producer failed to write, after sending again").isZero();
      consumer.awaitAnsweredCount(prefix, total, Duration.ofMinutes(4));
      // A repeat of an earlier result would come before the answers to queries sent after all were answered.
      QueryGenerator tail = new QueryGenerator(List.of("rmc1"), QuerySizes.fixed(16), 4, "tail-" + prefix, 5);
      for (int i = 0; i < 50; i++) {
        sender.send(tail.next(System.currentTimeMillis()));
      }
      sender.flush();
      consumer.awaitAnsweredCount("tail-" + prefix, 50, Duration.ofMinutes(2));

      Map<String, List<RecResult>> results = consumer.results();
      results.keySet().removeIf(id -> !id.startsWith(prefix));
      assertThat(results).as("distinct query ids answered").hasSize((int) total);
      assertThat(results.values().stream().flatMap(List::stream).map(RecResult::getStatus).collect(Collectors.toSet()))
          .as("result statuses").containsOnly(ResultStatus.OK);
      long repeats = results.values().stream().mapToLong(list -> list.size() - 1).sum();
      if (delivery.equals("exactly-once")) {
        assertThat(repeats).as("repeated results with exactly-once delivery").isZero();
      } else {
        // A repeat is the same answer: the same model scored the same query.
        results.values().stream().filter(list -> list.size() > 1).forEach(list ->
            assertThat(list).extracting(RecResult::getItems).as(list.get(0).getQueryId()).containsOnly(list.get(0).getItems()));
        System.out.printf("at-least-once across 3 failovers: %d of %d queries answered more than once (%d repeats)%n",
            results.values().stream().filter(list -> list.size() > 1).count(), total, repeats);
      }
      // The kills really hit the job: it went through failover.
      watching.set(false);
      watcher.join();
      assertThat(statuses).as("job statuses seen during the run").contains(JobStatus.RESTARTING);
    } finally {
      watching.set(false);
      TestJobs.stop(client);
    }
  }
}

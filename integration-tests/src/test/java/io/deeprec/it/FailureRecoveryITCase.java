package io.deeprec.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.deeprec.job.DeepRecJob;
import io.deeprec.job.DeepRecOptions;
import io.deeprec.job.JobSettings;
import io.deeprec.job.kafka.TopicReader;
import io.deeprec.job.load.OpenLoopSender;
import io.deeprec.job.load.QueryGenerator;
import io.deeprec.workload.QuerySizes;
import io.deeprec.schema.RecResult;
import io.deeprec.schema.ResultStatus;
import io.deeprec.schema.SingleObjectCodec;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Nothing lost, nothing doubled: 20,000 queries flow through the exactly-once job on two
 * TaskManagers while the TaskManagers are killed and replaced three times; a read_committed consumer must see
 * exactly one result for every query id.
 */
class FailureRecoveryITCase {

  private static final int QUERIES = 20_000;

  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER = TestJobs.miniCluster(2, 2);

  @RegisterExtension
  static final EmbeddedKafka KAFKA = new EmbeddedKafka();

  /**
   * Input: 20,000 queries at 500 QPS; three times during the run both TaskManagers are terminated
   * and replaced by fresh ones. Output: 20,000 distinct OK results, no duplicate, read with read_committed.
   */
  @Test
  void everyQueryAnsweredExactlyOnceAcrossTaskManagerKills(@InjectMiniCluster MiniCluster miniCluster)
      throws Exception {
    Properties kafka = KAFKA.clientProperties();
    String prefix = "failover";
    Configuration conf = TestJobs.jobConf(KAFKA.bootstrapServers(), prefix, List.of("rmc1"));
    conf.set(DeepRecOptions.DELIVERY, "exactly-once");
    conf.set(DeepRecOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(1));

    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    Configuration restarts = new Configuration();
    restarts.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    restarts.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 100);
    restarts.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
    env.configure(restarts);
    JobSettings settings = DeepRecJob.define(env, conf);
    JobClient client = env.executeAsync("failure-recovery");
    Set<JobStatus> statuses = ConcurrentHashMap.newKeySet();
    AtomicBoolean watching = new AtomicBoolean(true);
    Thread watcher = new Thread(() -> {
      while (watching.get()) {
        try {
          statuses.add(client.getJobStatus().get());
          Thread.sleep(20);
        } catch (Exception e) {
          return;
        }
      }
    });
    try (OpenLoopSender sender = new OpenLoopSender(kafka, settings.queriesTopic())) {
      QueryGenerator generator = new QueryGenerator(List.of("rmc1"), QuerySizes.fixed(16), 3, prefix, 5);
      AtomicLong sent = new AtomicLong();
      Thread load = new Thread(() -> {
        // 20,000 queries at 500/s: 40 s; stop at exactly QUERIES.
        sent.set(sender.run(generator, 500, 40_000, 9));
        while (generator.generated() < QUERIES) {
          sender.send(generator.next(System.currentTimeMillis()));
        }
        sender.flush();
      });
      load.start();
      watcher.start();
      // MiniCluster indexes TaskManagers in start order and never reuses an index.
      int oldest = 0;
      int started = 2;
      for (int kill = 0; kill < 3; kill++) {
        Thread.sleep(9_000);
        // Replace both TaskManagers: whichever ran the tasks, the job loses them.
        miniCluster.startTaskManager();
        miniCluster.startTaskManager();
        started += 2;
        miniCluster.terminateTaskManager(oldest).get();
        miniCluster.terminateTaskManager(oldest + 1).get();
        oldest += 2;
      }
      load.join();
      long total = generator.generated();
      assertThat(total).isGreaterThanOrEqualTo(QUERIES);

      Map<String, Integer> resultsPerQuery = new HashMap<>();
      Map<ResultStatus, Integer> byStatus = new HashMap<>();
      try (TopicReader<RecResult> reader = new TopicReader<>(kafka, settings.resultsTopic(), SingleObjectCodec.RESULT)) {
        long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        while (resultsPerQuery.size() < total && System.nanoTime() < deadline) {
          reader.poll(Duration.ofMillis(500), r -> {
            resultsPerQuery.merge(r.getQueryId(), 1, Integer::sum);
            byStatus.merge(r.getStatus(), 1, Integer::sum);
          });
        }
        // Duplicates would trail the last result: read a little longer.
        reader.poll(Duration.ofSeconds(3), r -> resultsPerQuery.merge(r.getQueryId(), 1, Integer::sum));
      }
      assertThat(resultsPerQuery).as("distinct query ids answered").hasSize((int) total);
      assertThat(resultsPerQuery.values()).as("results per query id").containsOnly(1);
      assertThat(byStatus).as("results by status").containsOnlyKeys(ResultStatus.OK);
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

package io.deeprec.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.deeprec.inference.AcceleratorFunction;
import io.deeprec.job.DeepRecJob;
import io.deeprec.job.DeepRecOptions;
import io.deeprec.job.JobSettings;
import io.deeprec.job.kafka.TopicReader;
import io.deeprec.job.load.OpenLoopSender;
import io.deeprec.job.load.QueryGenerator;
import io.deeprec.workload.QuerySizes;
import io.deeprec.schema.RecQuery;
import io.deeprec.schema.RecResult;
import io.deeprec.schema.ResultStatus;
import io.deeprec.schema.SingleObjectCodec;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Size-aware routing: queries at or above the offload threshold go whole to the (simulated) accelerator. */
class AcceleratorPathITCase {

  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER = TestJobs.miniCluster(1, 2);

  @RegisterExtension
  static final EmbeddedKafka KAFKA = new EmbeddedKafka();

  /**
   * Input: 100 queries of 300 candidates and 100 of 50, threshold 200, accelerator simulated.
   * Output: the large ones answered whole (one request) by device simulated-gpu, the small ones
   * by the CPU workers in requests of at most 64; all OK.
   */
  @Test
  void largeQueriesGoWholeToTheAcceleratorAndSmallOnesToTheCpu() throws Exception {
    Properties kafka = KAFKA.clientProperties();
    String prefix = "offload";
    Configuration conf = TestJobs.jobConf(KAFKA.bootstrapServers(), prefix, List.of("wnd"));
    conf.setString(DeepRecOptions.ACCELERATOR_MODE.key(), "simulated");
    conf.set(DeepRecOptions.ACCELERATOR_THRESHOLD, 200);
    conf.set(DeepRecOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(1));

    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    JobSettings settings = DeepRecJob.define(env, conf);
    JobClient client = env.executeAsync("accelerator-path");
    try (OpenLoopSender sender = new OpenLoopSender(kafka, settings.queriesTopic())) {
      QueryGenerator large = new QueryGenerator(List.of("wnd"), QuerySizes.fixed(300), 1, prefix + "-large", 10);
      QueryGenerator small = new QueryGenerator(List.of("wnd"), QuerySizes.fixed(50), 2, prefix + "-small", 10);
      Map<String, RecQuery> sent = new HashMap<>();
      for (int i = 0; i < 100; i++) {
        for (QueryGenerator generator : List.of(large, small)) {
          RecQuery query = generator.next(System.currentTimeMillis());
          sent.put(query.getQueryId(), query);
          sender.send(query);
        }
      }
      sender.flush();

      List<RecResult> results;
      try (TopicReader<RecResult> reader = new TopicReader<>(kafka, settings.resultsTopic(), SingleObjectCodec.RESULT)) {
        results = reader.readAtLeast(sent.size(), Duration.ofMinutes(2));
      }
      assertThat(results).hasSize(sent.size());
      for (RecResult result : results) {
        assertThat(result.getStatus()).isEqualTo(ResultStatus.OK);
        int n = sent.get(result.getQueryId()).getCandidateIds().size();
        assertThat(result.getQueryItems()).isEqualTo(n);
        assertThat(result.getOffloadThreshold()).isEqualTo(200);
        if (n >= 200) {
          assertThat(result.getDevice()).isEqualTo(AcceleratorFunction.SIMULATED_DEVICE);
          assertThat(result.getRequests()).isEqualTo(1);
          assertThat(result.getBatchSize()).isEqualTo(n);
        } else {
          assertThat(result.getDevice()).isEqualTo("cpu");
          assertThat(result.getBatchSize()).isLessThanOrEqualTo(64);
        }
      }
    } finally {
      TestJobs.stop(client);
    }
  }
}

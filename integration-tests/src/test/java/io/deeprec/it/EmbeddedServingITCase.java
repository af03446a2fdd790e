package io.deeprec.it;

import java.util.List;
import java.util.Properties;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The serving scenario on the embedded real Kafka broker (KRaft) and a Flink MiniCluster. */
class EmbeddedServingITCase {

  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER = TestJobs.miniCluster(1, 2);

  @RegisterExtension
  static final EmbeddedKafka KAFKA = new EmbeddedKafka();

  /**
   * Input: 2,000 queries spread over three models plus 20 malformed records, through Kafka.
   * Output: one OK result per query with its top k sorted by score, one dead letter per malformed
   * record with its reason, metrics counting every query, and the job still running.
   */
  @Test
  void servesEveryQueryOnceAndDeadLettersMalformedRecords() throws Exception {
    Properties kafka = KAFKA.clientProperties();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);

    new ServingScenario(kafka, List.of("rmc1", "wnd", "ncf"), "embedded").run(env);
  }
}

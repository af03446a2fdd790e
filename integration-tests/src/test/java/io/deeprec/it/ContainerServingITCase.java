package io.deeprec.it;

import java.util.List;
import java.util.Properties;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The same serving scenario against Kafka in a container (apache/kafka, KRaft). Needs a Docker
 * engine; where there is none it is reported as skipped, and {@link EmbeddedServingITCase} runs
 * the scenario on the embedded real broker instead.
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainerServingITCase {

  @Container
  static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.2.0");

  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder()
          .setNumberTaskManagers(1)
          .setNumberSlotsPerTaskManager(2)
          .build());

  @Test
  void servesEveryQueryOnceAndDeadLettersMalformedRecords() throws Exception {
    Properties kafka = new Properties();
    kafka.setProperty("bootstrap.servers", KAFKA.getBootstrapServers());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);

    new ServingScenario(kafka, List.of("rmc1", "wnd", "ncf"), "containers").run(env);
  }
}

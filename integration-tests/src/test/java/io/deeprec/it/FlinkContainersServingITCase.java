package io.deeprec.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.deeprec.schema.RecQuery;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.MountableFile;

/**
 * The cluster job jar on the official Flink image, as deploy/docker and deploy/compose run it:
 * Kafka (apache/kafka, KRaft), a Flink JobManager and a TaskManager container on one network, DJL
 * copied into {@code /opt/flink/lib}, the job jar submitted through the REST API. Needs a Docker
 * engine; where there is none it is reported as skipped and {@link StandaloneClusterITCase} runs
 * the jar on a multi-process cluster of local JVMs instead.
 */
@Testcontainers(disabledWithoutDocker = true)
class FlinkContainersServingITCase {

  static final String FLINK_IMAGE = "flink:2.2.1-java17";
  static final String KAFKA_IMAGE = "apache/kafka:4.2.0";
  private static final List<String> MODELS = List.of("rmc1", "wnd", "ncf");
  private static final String FLINK_PROPERTIES = String.join("\n",
      "jobmanager.rpc.address: jobmanager",
      "taskmanager.numberOfTaskSlots: 2",
      "taskmanager.memory.process.size: 2048m",
      "parallelism.default: 2",
      "restart-strategy.type: fixed-delay",
      "restart-strategy.fixed-delay.attempts: 10",
      "restart-strategy.fixed-delay.delay: 2 s",
      "env.java.opts.all: -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1");

  /**
   * Input: the job jar (three models, parallelism 2) and 150 queries through the Kafka container.
   * Output: exactly one ranked OK result per query; the job is RUNNING until the REST cancel.
   */
  @Test
  void servesEveryQueryOnceOnFlinkContainers() throws Exception {
    try (Network network = Network.newNetwork();
        KafkaContainer kafka = new KafkaContainer(KAFKA_IMAGE).withNetwork(network).withListener("kafka:19092");
        GenericContainer<?> jobManager = flink(network, "jobmanager")
            .withNetworkAliases("jobmanager")
            .withExposedPorts(8081)
            .waitingFor(Wait.forHttp("/overview").forPort(8081).withStartupTimeout(Duration.ofMinutes(2)));
        GenericContainer<?> taskManager = flink(network, "taskmanager").dependsOn(jobManager)) {
      kafka.start();
      jobManager.start();
      taskManager.start();

      FlinkRestClient rest = new FlinkRestClient(
          URI.create("http://" + jobManager.getHost() + ":" + jobManager.getMappedPort(8081)));
      await("a TaskManager registered").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
          .pollInSameThread().until(() -> !rest.taskManagerIds().isEmpty());
      assertThat(rest.taskManagerIds()).as("registered TaskManagers").hasSize(1);

      Properties clientProps = new Properties();
      clientProps.setProperty("bootstrap.servers", kafka.getBootstrapServers());
      RemoteServingScenario scenario = new RemoteServingScenario(clientProps, "flink-containers", MODELS);
      String jarId = rest.uploadJar(RemoteServingScenario.clusterJobJar());
      String jobId = rest.runJar(jarId, RemoteServingScenario.ENTRY_CLASS, scenario.programArgs("kafka:19092", MODELS), 2);
      try {
        await("job running").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).pollInSameThread()
            .until(() -> {
              if (rest.fullyRunning(jobId)) {
                return true;
              }
              if ("FAILED".equals(rest.jobState(jobId))) {
                throw new AssertionError("job failed; exceptions: " + rest.exceptions(jobId));
              }
              return false;
            });
        Map<String, RecQuery> sent = scenario.send(150);
        scenario.assertAnsweredOnce(sent, Duration.ofMinutes(3));
        assertThat(rest.jobState(jobId)).isEqualTo("RUNNING");
      } finally {
        rest.cancel(jobId);
      }
    }
  }

  /** A Flink container ({@code jobmanager} or {@code taskmanager}) with DJL in its lib/ folder. */
  private static GenericContainer<?> flink(Network network, String role) throws Exception {
    GenericContainer<?> container = new GenericContainer<>(FLINK_IMAGE)
        .withNetwork(network)
        .withCommand(role)
        .withEnv("FLINK_PROPERTIES", FLINK_PROPERTIES)
        .withEnv("DJL_CACHE_DIR", "/tmp/djl");
    for (Path jar : RemoteServingScenario.djlLibJars()) {
      container.withCopyFileToContainer(MountableFile.forHostPath(jar), "/opt/flink/lib/" + jar.getFileName());
    }
    return container;
  }
}

package io.deeprec.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Checks the files under deploy/ that cannot run here (no Docker engine, no Kubernetes): every YAML
 * parses, the Compose file and FlinkDeployments state the facts the job relies on (Kafka, a
 * JobManager, CPU and GPU TaskManagers, the GPU external resource, fine-grained resource
 * management), and the Dockerfile copies files the build produces.
 */
class DeployManifestsTest {

  private static final Path DEPLOY = Path.of("..", "deploy").toAbsolutePath().normalize();
  private static final Map<String, String> GPU_RESOURCE = Map.of(
      "external-resources", "gpu",
      "external-resource.gpu.driver-factory.class", "org.apache.flink.externalresource.gpu.GPUDriverFactory",
      "external-resource.gpu.amount", "1");

  @Test
  void everyYamlFileParses() throws IOException {
    List<Path> yamls = yamlFiles();
    assertThat(yamls).as("YAML files under %s", DEPLOY).hasSizeGreaterThanOrEqualTo(3);
    for (Path file : yamls) {
      List<Object> documents = new ArrayList<>();
      new Yaml().loadAll(Files.readString(file)).forEach(documents::add);
      assertThat(documents).as("documents in %s", file).isNotEmpty().doesNotContainNull();
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void composeRunsKafkaJobManagerAndCpuAndGpuTaskManagers() throws IOException {
    Map<String, Object> compose = load(DEPLOY.resolve("compose/docker-compose.yml"));
    Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");
    assertThat(services).containsKeys("kafka", "jobmanager", "taskmanager", "taskmanager-gpu");

    Map<String, Object> kafkaEnv = (Map<String, Object>) services.get("kafka").get("environment");
    assertThat(services.get("kafka").get("image").toString()).startsWith("apache/kafka:");
    assertThat(kafkaEnv.get("KAFKA_PROCESS_ROLES")).as("KRaft combined mode").isEqualTo("broker,controller");

    Map<String, Object> jobManager = services.get("jobmanager");
    assertThat((List<Object>) jobManager.get("command")).contains("io.deeprec.job.DeepRecJob", "--bootstrap-servers");
    assertThat(flinkProperties(jobManager)).containsEntry("cluster.fine-grained-resource-management.enabled", "true");

    Map<String, Object> gpu = services.get("taskmanager-gpu");
    assertThat(flinkProperties(gpu)).containsAllEntriesOf(GPU_RESOURCE);
    Map<String, Object> reservations = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>)
        gpu.get("deploy")).get("resources")).get("reservations");
    assertThat((List<Map<String, Object>>) reservations.get("devices"))
        .anySatisfy(device -> assertThat(device).containsEntry("driver", "nvidia"));
    assertThat(flinkProperties(services.get("taskmanager"))).doesNotContainKey("external-resources");
  }

  @Test
  @SuppressWarnings("unchecked")
  void gpuFlinkDeploymentRequestsAGpuPerTaskManager() throws IOException {
    Map<String, Object> deployment = load(DEPLOY.resolve("k8s/flinkdeployment-gpu.yaml"));
    assertThat(deployment).containsEntry("kind", "FlinkDeployment").containsEntry("apiVersion", "flink.apache.org/v1beta1");
    Map<String, Object> spec = (Map<String, Object>) deployment.get("spec");
    Map<String, Object> flinkConf = (Map<String, Object>) spec.get("flinkConfiguration");
    assertThat(flinkConf).containsAllEntriesOf(GPU_RESOURCE)
        .containsEntry("cluster.fine-grained-resource-management.enabled", "true");

    Map<String, Object> podSpec = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>)
        spec.get("taskManager")).get("podTemplate")).get("spec");
    List<Map<String, Object>> containers = (List<Map<String, Object>>) podSpec.get("containers");
    assertThat(containers).anySatisfy(container -> {
      assertThat(container).containsEntry("name", "flink-main-container");
      Map<String, Map<String, Object>> resources = (Map<String, Map<String, Object>>) container.get("resources");
      assertThat(resources.get("limits")).containsEntry("nvidia.com/gpu", 1);
    });

    Map<String, Object> job = (Map<String, Object>) spec.get("job");
    assertThat(job).containsEntry("entryClass", "io.deeprec.job.DeepRecJob")
        .containsEntry("jarURI", "local:///opt/flink/usrlib/deeprec-job.jar");
    assertThat((List<Object>) job.get("args")).containsSubsequence("--accelerator", "gpu");
  }

  @Test
  @SuppressWarnings("unchecked")
  void cpuFlinkDeploymentRunsTheSameJar() throws IOException {
    Map<String, Object> deployment = load(DEPLOY.resolve("k8s/flinkdeployment-cpu.yaml"));
    assertThat(deployment).containsEntry("kind", "FlinkDeployment");
    Map<String, Object> job = (Map<String, Object>) ((Map<String, Object>) deployment.get("spec")).get("job");
    assertThat(job).containsEntry("entryClass", "io.deeprec.job.DeepRecJob")
        .containsEntry("jarURI", "local:///opt/flink/usrlib/deeprec-job.jar");
  }

  /** COPY sources are relative to the build context, the repository root; globs must match. */
  @Test
  void dockerfileCopiesFilesTheBuildProduces() throws IOException {
    String dockerfile = Files.readString(DEPLOY.resolve("docker/Dockerfile"));
    assertThat(dockerfile).containsPattern("(?m)^FROM flink:2\\.2\\.1-java17$")
        .contains("-Dai.djl.offline=true")
        .contains("/opt/flink/usrlib/deeprec-job.jar");
    Path context = DEPLOY.getParent();
    Matcher copy = Pattern.compile("(?m)^COPY(?:\\s+--\\S+)*\\s+(\\S+)\\s+(\\S+)$").matcher(dockerfile);
    List<String> sources = new ArrayList<>();
    while (copy.find()) {
      sources.add(copy.group(1));
    }
    assertThat(sources).contains("job/target/flink-lib/", "job/target/deeprec-job-*-cluster.jar");
    for (String source : sources) {
      assertThat(matches(context, source)).as("files matching COPY source %s under %s (run mvn package first)",
          source, context).isNotEmpty();
    }
    assertThat(matches(context, "job/target/flink-lib/pytorch-native-cpu-*.jar")).as("libtorch in flink-lib").hasSize(1);
  }

  @Test
  void standaloneScriptsUseTheClassesTheItCaseUses() throws IOException {
    String start = Files.readString(DEPLOY.resolve("standalone/start-cluster.sh"));
    assertThat(start).contains("org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
        "org.apache.flink.runtime.taskexecutor.TaskManagerRunner", "GET_TM_RESOURCE_PARAMS", "GET_JM_RESOURCE_PARAMS");
    assertThat(Files.readString(DEPLOY.resolve("standalone/submit-job.sh")))
        .contains("org.apache.flink.client.cli.CliFrontend", "io.deeprec.job.DeepRecJob");
    for (String script : List.of("start-cluster.sh", "submit-job.sh", "stop-cluster.sh")) {
      assertThat(Files.isExecutable(DEPLOY.resolve("standalone").resolve(script))).as(script + " executable").isTrue();
    }
  }

  private static List<Path> matches(Path context, String source) throws IOException {
    Path base = context.resolve(source.contains("*") ? source.substring(0, source.lastIndexOf('/')) : source);
    if (!source.contains("*")) {
      return Files.exists(base) ? List.of(base) : List.of();
    }
    if (!Files.isDirectory(base)) {
      return List.of();
    }
    PathMatcher glob = FileSystems.getDefault().getPathMatcher("glob:" + source.substring(source.lastIndexOf('/') + 1));
    try (Stream<Path> files = Files.list(base)) {
      return files.filter(p -> glob.matches(p.getFileName())).collect(Collectors.toList());
    }
  }

  /** The Flink settings a service passes to the official image's entrypoint (FLINK_PROPERTIES). */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> flinkProperties(Map<String, Object> service) {
    Object properties = ((Map<String, Object>) service.get("environment")).get("FLINK_PROPERTIES");
    assertThat(properties).as("FLINK_PROPERTIES").isInstanceOf(String.class);
    Map<String, Object> parsed = new Yaml().load((String) properties);
    return parsed.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> String.valueOf(e.getValue())));
  }

  private static Map<String, Object> load(Path file) throws IOException {
    return new Yaml().load(Files.readString(file));
  }

  private static List<Path> yamlFiles() throws IOException {
    try (Stream<Path> files = Files.walk(DEPLOY)) {
      return files.filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml")).sorted()
          .collect(Collectors.toList());
    }
  }

  /**
   * The Grafana dashboard parses, every panel queries a series the job registers (the names
   * PrometheusMetricsITCase finds in a scrape), and the deployments configure the reporter.
   */
  @Test
  void theGrafanaDashboardQueriesTheJobsSeriesAndEveryDeploymentReportsThem() throws IOException {
    com.fasterxml.jackson.databind.JsonNode dashboard = new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(DEPLOY.resolve("monitoring/grafana-dashboard.json").toFile());
    List<String> exprs = new ArrayList<>();
    dashboard.get("panels").forEach(panel -> panel.get("targets").forEach(t -> exprs.add(t.get("expr").asText())));
    assertThat(exprs).isNotEmpty().allSatisfy(expr ->
        assertThat(expr).containsPattern("flink_taskmanager_job_task_operator_deeprec_(model|workers)_\\w+"));
    assertThat(Files.readString(DEPLOY.resolve("README.md"))).contains("monitoring/grafana-dashboard.json");
    for (String file : List.of("compose/docker-compose.yml", "k8s/flinkdeployment-cpu.yaml", "k8s/flinkdeployment-gpu.yaml",
        "standalone/start-cluster.sh")) {
      assertThat(Files.readString(DEPLOY.resolve(file))).as(file)
          .contains("metrics.reporter.prom.factory.class: org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
    }
  }
}

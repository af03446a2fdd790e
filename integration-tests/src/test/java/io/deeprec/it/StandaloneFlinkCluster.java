package io.deeprec.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real standalone Flink session cluster on loopback: one JobManager
 * ({@code StandaloneSessionClusterEntrypoint}) and TaskManagers ({@code TaskManagerRunner}), each a
 * separate JVM started from Maven jars the way Flink's own scripts start them (memory flags and
 * {@code -D} settings from {@code BashJavaUtils}, configuration in {@code config.yaml} of a
 * {@code --configDir}). Every process's stdout/stderr and log file lie in the work directory;
 * {@link #close} stops every process it started, forcibly if it does not exit in time.
 */
final class StandaloneFlinkCluster implements AutoCloseable {

  /** What Flink's default config.yaml passes on Java 17 ({@code env.java.default-opts.all}). */
  static final List<String> JAVA_17_OPTS = List.of(
      "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
      "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
      "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
      "--add-opens=java.base/java.lang=ALL-UNNAMED",
      "--add-opens=java.base/java.net=ALL-UNNAMED",
      "--add-opens=java.base/java.io=ALL-UNNAMED",
      "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
      "--add-opens=java.base/java.text=ALL-UNNAMED",
      "--add-opens=java.base/java.time=ALL-UNNAMED",
      "--add-opens=java.base/java.util=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

  private static final String JOB_MANAGER_CLASS = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
  private static final String TASK_MANAGER_CLASS = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
  private static final String BASH_JAVA_UTILS_CLASS = "org.apache.flink.runtime.util.bash.BashJavaUtils";
  private static final String RESULT_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";

  private final Path workDir;
  private final Path confDir;
  private final String classpath;
  private final List<String> jvmOptions;
  private final int restPort;
  private final Map<String, Process> processes = new LinkedHashMap<>();

  private StandaloneFlinkCluster(Path workDir, String classpath, List<String> jvmOptions, int restPort) {
    this.workDir = workDir;
    this.confDir = workDir.resolve("conf");
    this.classpath = classpath;
    this.jvmOptions = jvmOptions;
    this.restPort = restPort;
  }

  /**
   * Writes {@code config.yaml} (loopback, free ports, {@code settings} on top) into
   * {@code workDir/conf} and starts the JobManager; add TaskManagers with
   * {@link #startTaskManager}. {@code jvmOptions} go to every cluster JVM.
   */
  static StandaloneFlinkCluster startJobManager(Path workDir, String classpath, List<String> jvmOptions,
      Map<String, String> settings) throws IOException {
    int rpcPort = freePort();
    int restPort = freePort();
    Files.createDirectories(workDir.resolve("conf"));
    Files.createDirectories(workDir.resolve("tmp"));
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("jobmanager.rpc.address", "localhost");
    conf.put("jobmanager.rpc.port", Integer.toString(rpcPort));
    conf.put("jobmanager.bind-host", "localhost");
    conf.put("taskmanager.bind-host", "localhost");
    conf.put("taskmanager.host", "localhost");
    conf.put("rest.address", "localhost");
    conf.put("rest.bind-address", "localhost");
    conf.put("rest.port", Integer.toString(restPort));
    conf.put("io.tmp.dirs", workDir.resolve("tmp").toString());
    conf.put("web.tmpdir", workDir.resolve("tmp").toString());
    conf.put("blob.storage.directory", workDir.resolve("tmp").toString());
    conf.putAll(settings);
    StringBuilder yaml = new StringBuilder("# written by StandaloneFlinkCluster\n");
    conf.forEach((key, value) -> yaml.append(key).append(": ").append(value).append('\n'));
    Files.writeString(workDir.resolve("conf/config.yaml"), yaml.toString());
    Files.writeString(workDir.resolve("conf/log4j.properties"), String.join("\n",
        "rootLogger.level = INFO",
        "rootLogger.appenderRef.file.ref = FileAppender",
        "appender.file.name = FileAppender",
        "appender.file.type = File",
        "appender.file.fileName = ${sys:log.file}",
        "appender.file.layout.type = PatternLayout",
        "appender.file.layout.pattern = %d{HH:mm:ss.SSS} %-5level %c{1} - %msg%n",
        "logger.kafka.name = org.apache.kafka",
        "logger.kafka.level = WARN",
        ""));

    StandaloneFlinkCluster cluster = new StandaloneFlinkCluster(workDir, classpath, jvmOptions, restPort);
    try {
      cluster.launch("jobmanager", JOB_MANAGER_CLASS, "GET_JM_RESOURCE_PARAMS", List.of("--executionMode", "cluster"));
    } catch (IOException | RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  /** Starts a TaskManager JVM whose resource id (as the REST API reports it) is {@code id}. */
  void startTaskManager(String id) throws IOException {
    launch(id, TASK_MANAGER_CLASS, "GET_TM_RESOURCE_PARAMS", List.of("-D", "taskmanager.resource-id=" + id));
  }

  /** Kills a process at once, as a crashed machine would stop (SIGKILL). */
  void kill(String name) throws InterruptedException {
    Process process = processes.remove(name);
    if (process == null) {
      throw new IllegalArgumentException("no process " + name + " in " + processes.keySet());
    }
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  URI restAddress() {
    return URI.create("http://localhost:" + restPort);
  }

  Path workDir() {
    return workDir;
  }

  /** Names of the processes that have exited on their own (a crash at start, say). */
  List<String> exited() {
    return processes.entrySet().stream().filter(e -> !e.getValue().isAlive()).map(Map.Entry::getKey)
        .collect(Collectors.toList());
  }

  private void launch(String name, String mainClass, String resourceParams, List<String> extraArgs) throws IOException {
    List<String> resources = bashJavaUtils(resourceParams);
    List<String> command = new ArrayList<>();
    command.add(javaExecutable());
    command.addAll(Arrays.asList(resources.get(0).trim().split("\\s+")));
    command.addAll(JAVA_17_OPTS);
    command.addAll(jvmOptions);
    command.add("-Dlog.file=" + workDir.resolve(name + ".log"));
    command.add("-Dlog4j.configurationFile=" + confDir.resolve("log4j.properties").toUri());
    command.add("-cp");
    command.add(classpath);
    command.add(mainClass);
    command.add("--configDir");
    command.add(confDir.toString());
    command.addAll(extraArgs);
    command.addAll(Arrays.asList(resources.get(1).trim().split("\\s+")));
    Process process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(workDir.resolve(name + ".out").toFile())
        .start();
    processes.put(name, process);
  }

  /** Runs BashJavaUtils as flink-daemon.sh does; returns its two result lines (JVM flags, -D settings). */
  private List<String> bashJavaUtils(String command) throws IOException {
    Process process = new ProcessBuilder(javaExecutable(), "-cp", classpath, BASH_JAVA_UTILS_CLASS, command,
        "--configDir", confDir.toString())
        .redirectErrorStream(true)
        .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException("BashJavaUtils " + command + " failed:\n" + output);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    List<String> results = output.lines().filter(line -> line.startsWith(RESULT_PREFIX))
        .map(line -> line.substring(RESULT_PREFIX.length())).collect(Collectors.toList());
    if (results.size() != 2) {
      throw new IllegalStateException("BashJavaUtils " + command + ": expected 2 result lines:\n" + output);
    }
    return results;
  }

  /** Stops every process still running: SIGTERM, then SIGKILL after 15 s. */
  @Override
  public void close() {
    processes.values().forEach(Process::destroy);
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    for (Process process : processes.values()) {
      try {
        if (!process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
          process.destroyForcibly().waitFor(15, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    processes.clear();
  }

  private static String javaExecutable() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

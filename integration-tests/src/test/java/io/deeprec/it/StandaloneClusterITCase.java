package io.deeprec.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.deeprec.job.kafka.EmbeddedKafkaBroker;
import io.deeprec.schema.RecQuery;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * The cluster job jar on a real multi-process Flink cluster: the embedded Kafka broker in this JVM,
 * a standalone JobManager and two TaskManagers (2 slots each) as separate JVMs on loopback, started
 * from Maven jars (target/flink-cluster-classpath.txt) plus DJL on the cluster classpath
 * (job/target/flink-lib), as deploy/standalone does. Process logs: target/standalone-cluster/.
 */
class StandaloneClusterITCase {

  private static final List<String> MODELS = List.of("rmc1");
  private static final int QUERIES_PER_BATCH = 150;
  private static final List<String> CLUSTER_JVM_OPTS = List.of(
      "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1");

  /**
   * Input: the job jar submitted over REST (parallelism 2), a batch of queries, then a SIGKILL of a
   * TaskManager running the job's tasks, then a second batch. Output: exactly one ranked OK result
   * per query of each batch; the job restarts (fixed-delay strategy) on the surviving TaskManager,
   * whose two slots fit the job, and is CANCELED by a REST cancel at the end.
   */
  @Test
  void servesQueriesAndRecoversFromTaskManagerKill() throws Exception {
    Path workDir = Path.of("target", "standalone-cluster",
        LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))).toAbsolutePath();
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("jobmanager.memory.process.size", "1280m");
    settings.put("taskmanager.memory.process.size", "1536m");
    settings.put("taskmanager.memory.managed.size", "64m");
    settings.put("taskmanager.numberOfTaskSlots", "2");
    settings.put("taskmanager.load-balance.mode", "SLOTS");
    settings.put("heartbeat.interval", "2000");
    settings.put("heartbeat.timeout", "10000");
    settings.put("restart-strategy.type", "fixed-delay");
    settings.put("restart-strategy.fixed-delay.attempts", "30");
    settings.put("restart-strategy.fixed-delay.delay", "2 s");

    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
        StandaloneFlinkCluster cluster =
            StandaloneFlinkCluster.startJobManager(workDir, clusterClasspath(), CLUSTER_JVM_OPTS, settings)) {
      cluster.startTaskManager("tm-1");
      cluster.startTaskManager("tm-2");
      FlinkRestClient rest = new FlinkRestClient(cluster.restAddress());
      await("two TaskManagers registered", Duration.ofSeconds(90), cluster,
          () -> rest.taskManagerIds().size() == 2, () -> "registered " + rest.taskManagerIds());

      Properties kafka = new Properties();
      kafka.setProperty("bootstrap.servers", broker.bootstrapServers());
      RemoteServingScenario scenario = new RemoteServingScenario(kafka, "standalone", MODELS);
      String jarId = rest.uploadJar(RemoteServingScenario.clusterJobJar());
      String jobId = rest.runJar(jarId, RemoteServingScenario.ENTRY_CLASS,
          scenario.programArgs(broker.bootstrapServers(), MODELS), 2);
      try {
        await("job running", Duration.ofSeconds(90), cluster, () -> running(rest, jobId),
            () -> "job " + rest.jobState(jobId));

        Map<String, RecQuery> before = scenario.send(QUERIES_PER_BATCH);
        scenario.assertAnsweredOnce(before, Duration.ofMinutes(2));

        Set<String> hosts = rest.taskManagersOf(jobId);
        assertThat(hosts).as("TaskManagers running the job").isNotEmpty();
        String victim = hosts.iterator().next();
        cluster.kill(victim);
        // The JobManager has dropped the victim, and every task runs again, on TaskManagers other than it.
        await("job restarted on the surviving TaskManager", Duration.ofMinutes(2), cluster,
            () -> !rest.taskManagerIds().contains(victim) && running(rest, jobId)
                && !rest.taskManagersOf(jobId).contains(victim),
            () -> "registered TaskManagers " + rest.taskManagerIds() + ", job " + rest.jobState(jobId)
                + ", running " + rest.fullyRunning(jobId) + ", on " + rest.taskManagersOf(jobId)
                + ", victim " + victim);
        assertThat(rest.taskManagerIds()).as("registered TaskManagers after the kill").hasSize(1);
        assertThat(rest.failuresRecorded(jobId)).as("failures in the job's exception history").isPositive();

        Map<String, RecQuery> after = scenario.send(QUERIES_PER_BATCH);
        scenario.assertAnsweredOnce(after, Duration.ofMinutes(2));
        assertThat(rest.jobState(jobId)).isEqualTo("RUNNING");
      } catch (AssertionError | Exception e) {
        e.addSuppressed(new AssertionError("job exceptions: " + rest.exceptions(jobId) + "\nlogs: " + workDir));
        throw e;
      } finally {
        if (!List.of("FAILED", "CANCELED", "FINISHED").contains(rest.jobState(jobId))) {
          rest.cancel(jobId);
        }
      }
      await("job canceled", Duration.ofSeconds(60), cluster, () -> "CANCELED".equals(rest.jobState(jobId)),
          () -> "job " + rest.jobState(jobId));
    }
  }

  private static boolean running(FlinkRestClient rest, String jobId) throws Exception {
    String state = rest.jobState(jobId);
    if (state.equals("FAILED")) {
      throw new AssertionError("job failed: " + rest.exceptions(jobId));
    }
    return rest.fullyRunning(jobId);
  }

  /** Flink's runtime from Maven (integration-tests build-classpath) plus DJL, as a lib/ folder would hold. */
  private static String clusterClasspath() throws Exception {
    Path file = Path.of("target", "flink-cluster-classpath.txt");
    assertThat(file).as("written by maven-dependency-plugin at generate-test-resources").exists();
    List<String> entries = new ArrayList<>(List.of(Files.readString(file).trim().split(java.io.File.pathSeparator)));
    RemoteServingScenario.djlLibJars().forEach(jar -> entries.add(jar.toString()));
    return String.join(java.io.File.pathSeparator, entries);
  }

  /**
   * Polls {@code condition} every 500 ms until it holds; fails at once when a cluster process has
   * exited, and after {@code timeout} otherwise, naming what {@code observed} reads then. An I/O
   * error (the REST endpoint not up yet) counts as "not yet"; the last one is attached to the timeout.
   */
  private static void await(String what, Duration timeout, StandaloneFlinkCluster cluster, Callable<Boolean> condition,
      Callable<String> observed) {
    IOException[] last = {null};
    try {
      Awaitility.await(what).atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(500))
          .pollInSameThread()
          .until(() -> {
            List<String> exited = cluster.exited();
            if (!exited.isEmpty()) {
              throw new AssertionError("cluster processes exited " + exited + " while waiting for " + what
                  + "; see " + cluster.workDir() + ": " + tails(cluster.workDir(), exited));
            }
            try {
              return condition.call();
            } catch (IOException e) {
              last[0] = e;
              return false;
            }
          });
    } catch (ConditionTimeoutException e) {
      AssertionError timedOut = new AssertionError("timed out after " + timeout + " waiting for " + what
          + "; observed: " + reading(observed) + "; logs in " + cluster.workDir());
      if (last[0] != null) {
        timedOut.addSuppressed(last[0]);
      }
      throw timedOut;
    }
  }

  private static String reading(Callable<String> observed) {
    try {
      return observed.call();
    } catch (Exception e) {
      return "(unreadable: " + e + ")";
    }
  }

  private static String tails(Path workDir, List<String> names) {
    return names.stream().map(name -> {
      try (Stream<String> lines = Files.lines(workDir.resolve(name + ".out"))) {
        List<String> all = lines.collect(Collectors.toList());
        return name + ".out:\n" + String.join("\n", all.subList(Math.max(0, all.size() - 20), all.size()));
      } catch (IOException e) {
        return name + ": " + e;
      }
    }).collect(Collectors.joining("\n"));
  }
}

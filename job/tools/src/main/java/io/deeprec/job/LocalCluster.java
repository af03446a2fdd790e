package io.deeprec.job;

import java.net.URI;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.executiongraph.ErrorInfo;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * A Flink MiniCluster in this JVM: {@code deeprec run} starts one single-slot TaskManager per subtask, so that a
 * TaskManager can be killed to show a failover ({@code --failover-at}); the benchmark one TaskManager
 * with a slot per subtask, as a local environment has. Jobs reach it
 * through its REST endpoint, as they reach a real cluster; the classes are this JVM's.
 */
public final class LocalCluster implements AutoCloseable {
  private final MiniCluster cluster;
  private int oldestTaskManager;

  /** {@code taskManagers} TaskManagers of one slot each. */
  public LocalCluster(Configuration conf, int taskManagers) throws Exception {
    this(conf, taskManagers, 1);
  }

  public LocalCluster(Configuration conf, int taskManagers, int slotsPerTaskManager) throws Exception {
    cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
        .setConfiguration(conf)
        .setNumTaskManagers(taskManagers)
        .setNumSlotsPerTaskManager(slotsPerTaskManager)
        .build());
    cluster.start();
  }

  /** An environment that submits to this cluster. */
  public StreamExecutionEnvironment environment(Configuration conf, int parallelism) throws Exception {
    URI rest = cluster.getRestAddress().get();
    Configuration client = new Configuration(conf);
    client.set(DeploymentOptions.TARGET, "remote");
    client.set(RestOptions.ADDRESS, rest.getHost());
    client.set(RestOptions.PORT, rest.getPort());
    // Not getExecutionEnvironment: outside a cluster that one runs the job on a per-job MiniCluster.
    StreamExecutionEnvironment env = new StreamExecutionEnvironment(client);
    env.setParallelism(parallelism);
    return env;
  }

  /**
   * Starts a fresh TaskManager, then terminates the oldest live one: the job loses the tasks that
   * ran there and restarts from its last checkpoint on the slots it has.
   */
  public void killTaskManager() throws Exception {
    cluster.startTaskManager();
    // MiniCluster indexes TaskManagers in start order and never reuses an index.
    cluster.terminateTaskManager(oldestTaskManager++).get();
  }

  /**
   * How often a job's tasks were started again since it was submitted (the highest attempt number
   * of its tasks: a failover restarts them all), and its latest failure. A job that fails in a loop
   * still answers some queries between restarts; this is how a run or a benchmark tells.
   */
  public Restarts restarts(JobID job) throws Exception {
    AccessExecutionGraph graph = cluster.getExecutionGraph(job).get();
    int attempts = 0;
    for (AccessExecutionVertex vertex : graph.getAllExecutionVertices()) {
      attempts = Math.max(attempts, vertex.getCurrentExecutionAttempt().getAttemptNumber());
    }
    ErrorInfo failure = graph.getFailureInfo();
    return new Restarts(attempts, failure == null ? "" : failure.getExceptionAsString().lines().findFirst().orElse(""));
  }

  /**
   * @param count restarts of the job's tasks so far
   * @param latestFailure the first line of the latest failure; empty when none
   */
  public record Restarts(int count, String latestFailure) {}

  @Override
  public void close() throws Exception {
    cluster.close();
  }
}

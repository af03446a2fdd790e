package io.deeprec.job;

import java.net.URI;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * A Flink MiniCluster in this JVM with one single-slot TaskManager per subtask, so that a
 * TaskManager can be killed to show a failover ({@code deeprec run --failover-at}). Jobs reach it
 * through its REST endpoint, as they reach a real cluster; the classes are this JVM's.
 */
public final class LocalCluster implements AutoCloseable {
  private final MiniCluster cluster;
  private int oldestTaskManager;

  public LocalCluster(Configuration conf, int taskManagers) throws Exception {
    cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
        .setConfiguration(conf)
        .setNumTaskManagers(taskManagers)
        .setNumSlotsPerTaskManager(1)
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

  @Override
  public void close() throws Exception {
    cluster.close();
  }
}

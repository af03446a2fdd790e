package io.deeprec.job.load;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Where this JVM's CPU goes, by stage of the served path, read from its threads' CPU times: with the
 * embedded broker, {@code deeprec run} holds the broker, the Flink job, the load generator and the
 * results consumer in one process, so the CPU a query costs outside the model can be told stage by
 * stage. Threads are told apart by the names Flink, Kafka and this project give them; CPU of threads
 * the JVM does not list (the collector, the JIT compilers) or that ended in between is reported as
 * one remainder of the process's own CPU time.
 */
public final class CpuByStage {

  /** A stage, in the order of a query's path, then the machine's other work. */
  public enum Stage {
    QUERY_FETCH("source fetch", "the job's Kafka consumer of the queries topic"),
    QUERY_DECODE("decode", "decoding and validating queries (source task)"),
    BATCHER("batcher", "splitting into requests, feature lookup, hand-off to the workers (task thread)"),
    INFERENCE("inference", "the inference workers (model execution)"),
    ASYNC("async", "completing the async inference requests"),
    SHUFFLE("shuffles", "Flink's network stack between keyed operators"),
    REASSEMBLY("reassembly", "folding a query's parts into its result"),
    RESULTS_SINK("results sink", "writing results to Kafka (sink task)"),
    METRICS_CONTROL("metrics", "metrics windows, the controller, control, dead letters, warm-up"),
    PRODUCER_IO("producer I/O", "Kafka producers' network threads (the job's sinks and the load generator)"),
    BROKER("broker", "the embedded Kafka broker"),
    LOAD("load", "the load generator"),
    CONSUMER("consumer", "the results consumer that times each query"),
    HOP_PROBE("hop probe", "the bare Kafka hop probe"),
    CLIENTS("clients", "Kafka clients' coordinator and admin threads, the metrics timeline's reader"),
    FLINK("flink", "Flink's runtime: RPC, timers, checkpoints, REST, source coordinators"),
    OTHER("other", "other named threads"),
    JVM("jvm", "threads the JVM does not list (collector, JIT compilers) and threads that ended");

    public final String label;
    public final String what;

    Stage(String label, String what) {
      this.label = label;
      this.what = what;
    }
  }

  private record Rule(Stage stage, Predicate<String> matches) {}

  // Ordered: the first match wins (a timer thread is "Time Trigger for <operator chain>").
  private static final List<Rule> RULES = List.of(
      new Rule(Stage.FLINK, n -> n.startsWith("SourceCoordinator")),
      new Rule(Stage.QUERY_FETCH, n -> n.startsWith("Source Data Fetcher for Source: kafka-queries")),
      new Rule(Stage.QUERY_DECODE, n -> n.contains("Source: kafka-queries")),
      new Rule(Stage.BATCHER, n -> n.contains("micro-batcher")),
      new Rule(Stage.REASSEMBLY, n -> n.contains("reassemble")),
      new Rule(Stage.RESULTS_SINK, n -> n.contains("kafka-results-sink")),
      new Rule(Stage.METRICS_CONTROL, n -> n.contains("kafka-metrics-sink") || n.contains("kafka-metrics-feedback")
          || n.contains("kafka-control") || n.contains("kafka-dead-letter-sink") || n.contains("warmup")),
      new Rule(Stage.INFERENCE, n -> n.startsWith("deeprec-cpu-worker") || n.startsWith("deeprec-accelerator")),
      new Rule(Stage.ASYNC, n -> n.startsWith("AsyncOperations")),
      new Rule(Stage.SHUFFLE, n -> n.startsWith("Flink Netty")),
      new Rule(Stage.PRODUCER_IO, n -> n.startsWith("kafka-producer-network-thread")),
      new Rule(Stage.CLIENTS, n -> n.startsWith("kafka-coordinator-heartbeat-thread")
          || n.startsWith("kafka-admin-client-thread") || n.startsWith("deeprec-metrics-timeline")),
      new Rule(Stage.LOAD, n -> n.equals("deeprec-load")),
      new Rule(Stage.CONSUMER, n -> n.startsWith("deeprec-result-tracker")),
      new Rule(Stage.HOP_PROBE, n -> n.startsWith("deeprec-kafka-hop")),
      new Rule(Stage.BROKER, n -> n.startsWith("data-plane-kafka") || n.startsWith("kafka-") || n.startsWith("broker-")
          || n.startsWith("controller-") || n.startsWith("quorum-controller") || n.startsWith("group-coordinator")
          || n.startsWith("executor-") || n.startsWith("share-") || n.startsWith("ExpirationReaper")
          || n.startsWith("raft-") || n.startsWith("TxnMarkerSender") || n.startsWith("AddPartitionsToTxn")
          || n.startsWith("transaction-log-manager") || n.startsWith("LogDirFailureHandler")
          || n.startsWith("PersisterStateManager") || n.startsWith("persister-") || n.startsWith("client-metrics-reaper")
          || n.startsWith("network-partition-metadata")),
      new Rule(Stage.FLINK, n -> n.toLowerCase(java.util.Locale.ROOT).contains("flink") || n.contains("pekko")
          || n.startsWith("jobmanager") || n.startsWith("taskmanager") || n.startsWith("resourcemanager")
          || n.startsWith("mini-cluster") || n.contains("Time Trigger") || n.startsWith("Checkpoint")
          || n.startsWith("IOManager") || n.startsWith("BLOB") || n.startsWith("channel-state")));

  /** The stage a thread of this name works for. */
  public static Stage of(String threadName) {
    for (Rule rule : RULES) {
      if (rule.matches().test(threadName)) {
        return rule.stage();
      }
    }
    return Stage.OTHER;
  }

  /**
   * The CPU times of this JVM's threads at one moment.
   *
   * @param threadCpuNanos CPU time by thread id, with the thread's name
   * @param processCpuNanos the process's CPU time
   */
  public record Snapshot(long atNanos, Map<Long, Named> threadCpuNanos, long processCpuNanos) {}

  /** A thread's name and CPU time. */
  public record Named(String name, long cpuNanos) {}

  /** Reads every live thread's CPU time and the process's; empty maps where the JVM cannot tell. */
  public static Snapshot take() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Map<Long, Named> byThread = new HashMap<>();
    if (threads.isThreadCpuTimeSupported() && threads.isThreadCpuTimeEnabled()) {
      for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
        if (info == null) {
          continue; // ended since the ids were listed
        }
        long cpu = threads.getThreadCpuTime(info.getThreadId());
        if (cpu >= 0) {
          byThread.put(info.getThreadId(), new Named(info.getThreadName(), cpu));
        }
      }
    }
    long process = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime() : -1;
    return new Snapshot(System.nanoTime(), byThread, process);
  }

  /**
   * CPU spent between two snapshots, ns by stage. A thread started in between counts from zero;
   * the process's CPU that no listed thread accounts for goes to {@link Stage#JVM} (none where the
   * process's time is unknown).
   */
  public static Map<Stage, Long> between(Snapshot from, Snapshot to) {
    Map<Stage, Long> byStage = new EnumMap<>(Stage.class);
    long listed = 0;
    for (Map.Entry<Long, Named> e : to.threadCpuNanos().entrySet()) {
      Named before = from.threadCpuNanos().get(e.getKey());
      long spent = e.getValue().cpuNanos() - (before == null ? 0 : before.cpuNanos());
      if (spent > 0) {
        byStage.merge(of(e.getValue().name()), spent, Long::sum);
        listed += spent;
      }
    }
    if (from.processCpuNanos() >= 0 && to.processCpuNanos() >= 0) {
      byStage.put(Stage.JVM, Math.max(0, to.processCpuNanos() - from.processCpuNanos() - listed));
    }
    return byStage;
  }

  /** All the CPU in {@code byStage}, ns. */
  public static long total(Map<Stage, Long> byStage) {
    return byStage.values().stream().mapToLong(Long::longValue).sum();
  }

  /** {@code stage}'s share of all the CPU in {@code byStage}; NaN when none was spent. */
  public static double share(Map<Stage, Long> byStage, Stage stage) {
    long total = total(byStage);
    return total <= 0 ? Double.NaN : byStage.getOrDefault(stage, 0L) / (double) total;
  }

  private CpuByStage() {}
}

package io.deeprec.job.load;

import io.deeprec.job.kafka.TopicReader;
import io.deeprec.sched.LatencyStats;
import io.deeprec.schema.RecResult;
import io.deeprec.schema.ResultStatus;
import io.deeprec.schema.SingleObjectCodec;
import java.time.Duration;
import java.util.EnumMap;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * Consumes the results topic on its own thread and keeps what a run summary needs: distinct query
 * ids answered, duplicates, counts by status, and latency percentiles: end to end (from the
 * producer's timestamp at send to this consumer's receipt), the job's own (arrival to the last part
 * scored), and the end-to-end time broken down by stage from the result's timestamps. End-to-end
 * latency is also reported per phase of the run ({@link #phase}: e.g. the first seconds after the
 * job announced readiness, a failover), each query counted in the phase it was sent in.
 */
public final class ResultTracker implements AutoCloseable {
  private final TopicReader<RecResult> reader;
  private final String idPrefix;
  private final Thread thread;
  private final Set<String> answered = new HashSet<>();
  private final Map<ResultStatus, Long> byStatus = new EnumMap<>(ResultStatus.class);
  private final LatencyStats service = new LatencyStats();
  private final LatencyStats endToEnd = new LatencyStats();
  private final Map<Stage, LatencyStats> stages = new EnumMap<>(Stage.class);
  /** Send time and end-to-end latency (ms) of every OK result, for the phases. */
  private final List<long[]> sentAndEndToEnd = new ArrayList<>();
  private final TreeMap<Long, String> phases = new TreeMap<>();
  private long duplicates;

  /** The stages of a query's end-to-end time, from the result's timestamps (slowest part of a split query). */
  public enum Stage {
    SOURCE("source", "producer send to the batcher: Kafka, fetch, decode, validation"),
    BATCHER("batcher", "batcher received to its last request released"),
    QUEUE("queue", "request released to a worker starting it"),
    INFERENCE("inference", "model execution"),
    REASSEMBLY("reassembly", "last part scored to the result emitted"),
    SINK("sink", "result emitted to this consumer's receipt: sink, Kafka, fetch");

    public final String label;
    public final String what;

    Stage(String label, String what) {
      this.label = label;
      this.what = what;
    }
  }
  private volatile boolean running = true;

  /** @param idPrefix only results whose query id starts with this count (other runs may share the topic) */
  public ResultTracker(Properties clientProps, String topic, String idPrefix) {
    this.reader = new TopicReader<>(clientProps, topic, SingleObjectCodec.RESULT);
    this.idPrefix = idPrefix;
    for (Stage stage : Stage.values()) {
      stages.put(stage, new LatencyStats());
    }
    this.thread = new Thread(this::loop, "deeprec-result-tracker");
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    while (running) {
      reader.poll(Duration.ofMillis(100), this::record);
    }
  }

  private synchronized void record(RecResult result) {
    if (!result.getQueryId().startsWith(idPrefix)) {
      return;
    }
    if (!answered.add(result.getQueryId())) {
      duplicates++;
      return;
    }
    byStatus.merge(result.getStatus(), 1L, Long::sum);
    if (result.getStatus() == ResultStatus.OK) {
      long receivedMs = System.currentTimeMillis();
      long e2e = receivedMs - result.getArrivalTimeMs();
      service.record(result.getTotalMs());
      endToEnd.record(e2e);
      sentAndEndToEnd.add(new long[] {result.getArrivalTimeMs(), e2e});
      stages.get(Stage.QUEUE).record(result.getQueueMs());
      stages.get(Stage.INFERENCE).record(result.getInferenceMs());
      if (result.getBatchedTimeMs() > 0 && result.getReleasedTimeMs() > 0 && result.getEmittedTimeMs() > 0) {
        stages.get(Stage.SOURCE).record(result.getBatchedTimeMs() - result.getArrivalTimeMs());
        stages.get(Stage.BATCHER).record(result.getReleasedTimeMs() - result.getBatchedTimeMs());
        stages.get(Stage.REASSEMBLY).record(result.getEmittedTimeMs() - result.getCompletedTimeMs());
        stages.get(Stage.SINK).record(receivedMs - result.getEmittedTimeMs());
      }
    }
  }

  /** Queries sent from {@code fromEpochMs} (until the next phase begins) belong to the phase {@code label}. */
  public synchronized void phase(String label, long fromEpochMs) {
    phases.put(fromEpochMs, label);
  }

  /** A consistent copy of the counters. */
  public synchronized Snapshot snapshot() {
    Map<Stage, Percentiles> byStage = new EnumMap<>(Stage.class);
    stages.forEach((stage, stats) -> byStage.put(stage, Percentiles.of(stats)));
    Map<String, LatencyStats> byPhase = new LinkedHashMap<>();
    phases.values().forEach(label -> byPhase.put(label, new LatencyStats()));
    for (long[] sample : sentAndEndToEnd) {
      Map.Entry<Long, String> phase = phases.floorEntry(sample[0]);
      if (phase != null) {
        byPhase.get(phase.getValue()).record(sample[1]);
      }
    }
    Map<String, Percentiles> phasePercentiles = new LinkedHashMap<>();
    byPhase.forEach((label, stats) -> phasePercentiles.put(label, Percentiles.of(stats)));
    return new Snapshot(answered.size(), duplicates, new EnumMap<>(byStatus), Percentiles.of(service),
        Percentiles.of(endToEnd), phasePercentiles, byStage, p95OfAnswered(endToEnd, answered.size()));
  }

  /**
   * The p95 over {@code all} queries answered, {@code okLatencies} those answered OK; one answered other than
   * OK (shed past its deadline, rejected) counts as never served: the OK latency at the rank that 95% of
   * all reach, infinite when fewer than 95% are OK. Equals the OK results' p95 when every answer is OK.
   */
  static double p95OfAnswered(LatencyStats okLatencies, long all) {
    long ok = okLatencies.count();
    if (all == 0) {
      return 0;
    }
    if (ok < 0.95 * all) {
      return Double.POSITIVE_INFINITY;
    }
    return okLatencies.percentile(Math.min(100, 95.0 * all / ok));
  }

  /** Distinct queries answered so far. */
  public synchronized long answeredCount() {
    return answered.size();
  }

  /** Waits until {@code expected} distinct queries were answered or the timeout passed. */
  public Snapshot awaitAnswered(long expected, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline && snapshot().answered() < expected) {
      Thread.sleep(100);
    }
    return snapshot();
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(5_000);
    reader.close();
  }

  /** Latency percentiles in ms over {@code count} OK results (all 0 when none). */
  public record Percentiles(long count, double p50Ms, double p95Ms, double p99Ms, double maxMs) {
    static Percentiles of(LatencyStats stats) {
      return new Percentiles(stats.count(), stats.percentile(50), stats.percentile(95), stats.percentile(99),
          stats.maxMs());
    }
  }

  /**
   * Counters at one moment; latencies over OK results: {@code job} as the job measured it (arrival
   * to last part scored), {@code endToEnd} from the producer's send to this consumer's receipt,
   * also by phase (in the order the phases begin), and per stage; {@code endToEndP95OfAnsweredMs} over every
   * answered query, one answered other than OK counted as never served (what a latency target is met on).
   */
  public record Snapshot(long answered, long duplicates, Map<ResultStatus, Long> byStatus, Percentiles job,
      Percentiles endToEnd, Map<String, Percentiles> endToEndByPhase, Map<Stage, Percentiles> stages,
      double endToEndP95OfAnsweredMs) {

    public long count(ResultStatus status) {
      return byStatus.getOrDefault(status, 0L);
    }

    /** End-to-end p95 over the OK results, ms; a target is judged on {@link #endToEndP95OfAnsweredMs}. */
    public double p95Ms() {
      return endToEnd.p95Ms();
    }
  }
}

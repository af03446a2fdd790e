package io.deeprec.job.load;

import io.deeprec.job.kafka.TopicReader;
import io.deeprec.sched.LatencyStats;
import io.deeprec.schema.RecResult;
import io.deeprec.schema.ResultStatus;
import io.deeprec.schema.SingleObjectCodec;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Consumes the results topic on its own thread and keeps what a run summary needs: distinct query
 * ids answered, duplicates, counts by status, and latency percentiles: end to end (from the
 * producer's timestamp at send to this consumer's receipt), the job's own (arrival to the last part
 * scored), and the end-to-end time broken down by stage from the result's timestamps. End-to-end
 * latency is also kept apart for queries sent before {@link #splitAt} (e.g. the first seconds after
 * the job announced readiness) and after it.
 */
public final class ResultTracker implements AutoCloseable {
  private final TopicReader<RecResult> reader;
  private final String idPrefix;
  private final Thread thread;
  private final Set<String> answered = new HashSet<>();
  private final Map<ResultStatus, Long> byStatus = new EnumMap<>(ResultStatus.class);
  private final LatencyStats service = new LatencyStats();
  private final LatencyStats endToEnd = new LatencyStats();
  private final LatencyStats endToEndEarly = new LatencyStats();
  private final LatencyStats endToEndLate = new LatencyStats();
  private final Map<Stage, LatencyStats> stages = new EnumMap<>(Stage.class);
  private long splitAtMs = Long.MIN_VALUE;
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
      (result.getArrivalTimeMs() < splitAtMs ? endToEndEarly : endToEndLate).record(e2e);
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

  /** From now on, end-to-end latency of queries sent before {@code epochMs} counts as early, the rest as late. */
  public synchronized void splitAt(long epochMs) {
    splitAtMs = epochMs;
  }

  /** A consistent copy of the counters. */
  public synchronized Snapshot snapshot() {
    Map<Stage, Percentiles> byStage = new EnumMap<>(Stage.class);
    stages.forEach((stage, stats) -> byStage.put(stage, Percentiles.of(stats)));
    return new Snapshot(answered.size(), duplicates, new EnumMap<>(byStatus), Percentiles.of(service),
        Percentiles.of(endToEnd), Percentiles.of(endToEndEarly), Percentiles.of(endToEndLate), byStage);
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
   * split into queries sent before and after {@link #splitAt}, and per stage.
   */
  public record Snapshot(long answered, long duplicates, Map<ResultStatus, Long> byStatus, Percentiles job,
      Percentiles endToEnd, Percentiles endToEndEarly, Percentiles endToEndLate, Map<Stage, Percentiles> stages) {

    public long count(ResultStatus status) {
      return byStatus.getOrDefault(status, 0L);
    }

    /** End-to-end p95, ms: what a latency target is judged on. */
    public double p95Ms() {
      return endToEnd.p95Ms();
    }
  }
}

package io.deeprec.serving;

import io.deeprec.sched.BatchSettings;
import io.deeprec.sched.WindowObservation;
import java.io.Serializable;
import java.util.Arrays;
import java.util.HashMap;

/**
 * One processing-time window of one model's completed queries: the one window definition the job's
 * metrics operator, the serving simulator and the harness feed their policies from. Windows are
 * aligned to multiples of their length ({@link #startOf}), so every subtask and every run agrees on
 * their edges.
 *
 * <p>It remembers the settings that served its OK queries and whether more than one did
 * ({@link #mixedSettings}): a policy learns only from a window measured under one setting, the one
 * it is judging. Mutable, not thread-safe; a plain class so the job keeps it in keyed state.
 */
public final class MetricsWindow implements Serializable {
  private static final long serialVersionUID = 1L;

  private long startMs;
  private long endMs;
  private long queries;
  private long okCount;
  private long expiredCount;
  private long rejectedCount;
  private long deadLetterCount;
  private long offloadedCount;
  private long itemSum;
  private int maxQueryItems;
  private double workMsSum;
  private double[] latenciesMs = new double[16];
  /** The OK latencies sorted, computed once for a window's percentiles; dropped by every record. */
  private transient double[] sortedLatenciesMs;
  private int maxQueueDepth;
  private boolean hasSettings;
  private int batchSize;
  private long maxQueueDelayMs;
  private int offloadThreshold;
  private boolean mixedSettings;
  /** Worker threads by worker pool (one pool per TaskManager JVM) that served the window. */
  private HashMap<String, Integer> workersByPool = new HashMap<>();
  private String modelVersion = "";
  private String rolloutFailure;

  /** For serializers only. */
  public MetricsWindow() {}

  /** The window of length {@code windowMs} that holds {@code timeMs}. */
  public static MetricsWindow containing(long timeMs, long windowMs) {
    if (windowMs <= 0) {
      throw new IllegalArgumentException("a metrics window must be > 0 ms: " + windowMs);
    }
    MetricsWindow window = new MetricsWindow();
    window.startMs = startOf(timeMs, windowMs);
    window.endMs = window.startMs + windowMs;
    return window;
  }

  /** Start of the aligned window of length {@code windowMs} that holds {@code timeMs}. */
  public static long startOf(long timeMs, long windowMs) {
    return timeMs - Math.floorMod(timeMs, windowMs);
  }

  /** How a completed query ended, as far as a window counts it. */
  public enum Outcome { OK, EXPIRED, REJECTED }

  /**
   * Counts one completed query.
   *
   * @param latencyMs completion minus arrival (counted for OK queries only)
   * @param queryItems the query's candidates
   * @param workMs worker time it cost ({@link WorkShare}); counted for OK queries
   * @param offloaded whether the accelerator served it
   * @param settings the settings it was batched under (null when unknown); OK queries only
   * @param workerPool the worker pool that scored it (null or empty when none)
   * @param workers that pool's worker threads
   * @param queueDepth requests waiting in that pool when its request was queued
   */
  public void record(Outcome outcome, double latencyMs, int queryItems, double workMs, boolean offloaded,
      BatchSettings settings, String workerPool, int workers, int queueDepth) {
    queries++;
    itemSum += queryItems;
    maxQueryItems = Math.max(maxQueryItems, queryItems);
    if (offloaded) {
      offloadedCount++;
    }
    if (workerPool != null && !workerPool.isEmpty() && workers > 0) {
      workersByPool.put(workerPool, workers);
    }
    maxQueueDepth = Math.max(maxQueueDepth, queueDepth);
    switch (outcome) {
      case OK -> {
        sortedLatenciesMs = null;
        okCount++;
        workMsSum += workMs;
        if (okCount > latenciesMs.length) {
          latenciesMs = Arrays.copyOf(latenciesMs, latenciesMs.length * 2);
        }
        latenciesMs[(int) okCount - 1] = latencyMs;
        if (settings != null) {
          noteSettings(settings);
        }
      }
      case EXPIRED -> expiredCount++;
      case REJECTED -> rejectedCount++;
    }
  }

  /**
   * Notes which model version scored a completed query and why a rolled-out version could not
   * (empty when it could): the window reports the latest of each.
   */
  public void noteVersion(String version, String failure) {
    if (version != null && !version.isEmpty()) {
      modelVersion = version;
    }
    if (failure != null && !failure.isEmpty()) {
      rolloutFailure = failure;
    }
  }

  /** The version that scored the latest query noted ({@link #noteVersion}); empty when none said. */
  public String modelVersion() {
    return modelVersion;
  }

  /** The latest rollout failure noted in this window, or null. */
  public String rolloutFailure() {
    return rolloutFailure;
  }

  /** Counts a record of this model sent to the dead-letter topic. */
  public void recordDeadLetter() {
    deadLetterCount++;
  }

  private void noteSettings(BatchSettings settings) {
    if (hasSettings && (batchSize != settings.batchSize() || maxQueueDelayMs != settings.maxQueueDelayMs()
        || offloadThreshold != settings.offloadThreshold())) {
      mixedSettings = true;
    }
    hasSettings = true;
    batchSize = settings.batchSize();
    maxQueueDelayMs = settings.maxQueueDelayMs();
    offloadThreshold = settings.offloadThreshold();
  }

  public long startMs() {
    return startMs;
  }

  public long endMs() {
    return endMs;
  }

  public long lengthMs() {
    return endMs - startMs;
  }

  public long queries() {
    return queries;
  }

  public long okCount() {
    return okCount;
  }

  public long expiredCount() {
    return expiredCount;
  }

  public long rejectedCount() {
    return rejectedCount;
  }

  public long deadLetterCount() {
    return deadLetterCount;
  }

  public long offloadedCount() {
    return offloadedCount;
  }

  /** Completed queries per second over the window's length. */
  public double qps() {
    return queries * 1000.0 / lengthMs();
  }

  public double meanQueryItems() {
    return queries == 0 ? 0 : (double) itemSum / queries;
  }

  public int maxQueryItems() {
    return maxQueryItems;
  }

  /** Mean worker time per OK query, ms; NaN when no OK query was counted. */
  public double workMsPerQuery() {
    return okCount == 0 ? Double.NaN : workMsSum / okCount;
  }

  /**
   * A latency percentile (0-100] of the OK queries, ms (nearest rank: the smallest latency that at
   * least this share of them did not exceed); 0 when there is none. Exact, and cheap for the few
   * hundred queries of a window.
   */
  public double latencyPercentileMs(double percentile) {
    if (okCount == 0) {
      return 0;
    }
    if (sortedLatenciesMs == null) {
      sortedLatenciesMs = Arrays.copyOf(latenciesMs, (int) okCount);
      Arrays.sort(sortedLatenciesMs);
    }
    double[] sorted = sortedLatenciesMs;
    int rank = (int) Math.ceil(percentile / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
  }

  public int maxQueueDepth() {
    return maxQueueDepth;
  }

  /** Worker threads that served the window, summed over the distinct pools; 0 when unknown. */
  public int workers() {
    return workersByPool.values().stream().mapToInt(Integer::intValue).sum();
  }

  /** The settings that served the OK queries (the latest one's when mixed), or null when unknown. */
  public BatchSettings settings() {
    return hasSettings ? new BatchSettings(batchSize, maxQueueDelayMs, offloadThreshold) : null;
  }

  /** Whether the OK queries were served under more than one setting. */
  public boolean mixedSettings() {
    return mixedSettings;
  }

  /**
   * What a policy judging {@code judged} may learn from this window, or null when nothing: no OK
   * query, settings unknown, mixed, or other than the judged ones (a window measured under older
   * settings, still in flight when the policy moved on).
   */
  public WindowObservation observationFor(BatchSettings judged) {
    BatchSettings applied = settings();
    if (okCount == 0 || applied == null || mixedSettings || !applied.equals(judged)) {
      return null;
    }
    return observation();
  }

  /** The window as a policy sees it, whatever its settings (null settings when unknown). */
  public WindowObservation observation() {
    return new WindowObservation(endMs, okCount, qps(), latencyPercentileMs(50), latencyPercentileMs(95),
        latencyPercentileMs(99), settings(), workMsPerQuery(), workers());
  }
}

package io.deeprec.warmup;

import io.deeprec.schema.RecQuery;
import io.deeprec.schema.ResultStatus;
import io.deeprec.workload.QuerySizes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The warm-up of one job start: which synthetic queries to send, and when the pipeline counts as
 * ready. Closed loop: one warm-up query in flight per (model, partition) slot, the next sent when
 * it comes back, so the warm-up never overloads the job. A query is re-sent after {@code
 * resendAfterMs} only while it may have gone to its partition before the source found its starting
 * position (such a query is never read): once a query sent to a partition was answered, every one
 * sent there after it is read, and a slow answer (a cold model at full size takes seconds) is waited
 * for; re-sending it would pile up a backlog that the warm-up then measures. Ready means both:
 * a warm-up query sent to every partition came back, so every source reader is positioned and a
 * query sent from now on is read; and every model is warm: it answered at least {@code
 * queriesPerModel} warm-up queries, and the p95 of its last window of them has stopped improving
 * (at least {@link #CONVERGED} of the window before's: more warm-up would not make it faster; JIT
 * compilation and first calls at each batch size go on well after a model first meets its target).
 * The timeout ends a warm-up that never converges: ready, not warm. Thread-safe: the sender thread
 * and the task thread share it.
 */
public final class WarmupProgress {

  /** Query ids of warm-up queries start with this; their results are never published. */
  public static final String ID_PREFIX = "deeprec-warmup/";

  /** Fewest answers in a window the warm p95 is judged on. */
  static final int MIN_WINDOW = 20;

  /** A window's p95 at least this fraction of the previous one's has stopped improving. */
  static final double CONVERGED = 0.9;

  private final String nonce;
  private final List<String> models;
  private final int partitions;
  private final int queriesPerModel;
  private final long resendAfterMs;
  private final long timeoutMs;
  private final long startMs;
  private final QuerySizes sizes;
  private final SplittableRandom random;
  private final Map<String, Long> lastSentBySlot = new HashMap<>();
  private final Set<Integer> partitionsReached = new HashSet<>();
  /** Per partition, the earliest send time (ms) of a query answered from it: every query sent there later is read. */
  private final Map<Integer, Long> readSinceMs = new HashMap<>();
  private final Map<String, ModelProgress> byModel = new LinkedHashMap<>();
  private long sequence;

  /**
   * @param nonce unique per start, so answers to an earlier start's warm-up are not counted
   * @param models the served models
   * @param partitions partitions of the queries topic (>= 1)
   * @param queriesPerModel fewest answers each model must give before it is warm (>= 0)
   */
  public WarmupProgress(String nonce, List<String> models, int partitions, int queriesPerModel,
      long resendAfterMs, long timeoutMs, long startMs, QuerySizes sizes, long seed) {
    if (partitions < 1 || models.isEmpty() || queriesPerModel < 0 || resendAfterMs <= 0 || timeoutMs <= 0) {
      throw new IllegalArgumentException("bad warm-up plan: " + models + ", " + partitions
          + " partitions, " + queriesPerModel + " queries, resend " + resendAfterMs + " ms, timeout " + timeoutMs + " ms");
    }
    this.nonce = nonce;
    this.models = List.copyOf(models);
    this.partitions = partitions;
    this.queriesPerModel = queriesPerModel;
    this.resendAfterMs = resendAfterMs;
    this.timeoutMs = timeoutMs;
    this.startMs = startMs;
    this.sizes = sizes;
    this.random = new SplittableRandom(seed);
    int window = Math.max(MIN_WINDOW, queriesPerModel / 2);
    models.forEach(model -> byModel.put(model, new ModelProgress(window)));
  }

  /** Whether {@code queryId} names a warm-up query (of any start). */
  public static boolean isWarmup(String queryId) {
    return queryId.startsWith(ID_PREFIX);
  }

  /** A warm-up query and the partition it goes to. */
  public record Send(RecQuery query, int partition) {}

  /** The queries to send now: one per slot that has none in flight, or whose last one is overdue and may be unread. */
  public synchronized List<Send> due(long nowMs) {
    List<Send> due = new ArrayList<>();
    for (String model : models) {
      boolean modelDone = warm(model);
      // Once a model answered its quota, only the first model goes on probing partitions not reached yet.
      boolean probesPartitions = model.equals(models.get(0));
      for (int partition = 0; partition < partitions; partition++) {
        if (modelDone && !(probesPartitions && !partitionsReached.contains(partition))) {
          continue;
        }
        String slot = model + "/" + partition;
        Long sent = lastSentBySlot.get(slot);
        if (sent == null || sent == Long.MIN_VALUE || nowMs - sent >= resendAfterMs && !surelyRead(partition, sent)) {
          lastSentBySlot.put(slot, nowMs);
          due.add(new Send(query(model, partition, nowMs), partition));
        }
      }
    }
    return due;
  }

  /**
   * Whether a query sent to {@code partition} at {@code sentMs} is read: one sent there earlier was answered (in the
   * same millisecond the order of the two is not known).
   */
  private boolean surelyRead(int partition, long sentMs) {
    Long readSince = readSinceMs.get(partition);
    return readSince != null && sentMs > readSince;
  }

  private RecQuery query(String model, int partition, long nowMs) {
    int n = sizes.next(random);
    List<Long> candidates = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      candidates.add(random.nextLong(10_000_000L));
    }
    return RecQuery.newBuilder()
        .setQueryId(ID_PREFIX + nonce + "/" + model + "/" + partition + "/" + (sequence++))
        .setModel(model)
        .setUserId(random.nextLong(1_000_000L))
        .setCandidateIds(candidates)
        .setArrivalTimeMs(nowMs)
        .setTopK(1)
        .build();
  }

  /**
   * Records the answer to a warm-up query, {@code latencyMs} after it was sent; answers to other
   * starts' warm-ups are ignored. Returns whether it was this start's.
   */
  public synchronized boolean answered(String queryId, ResultStatus status, double latencyMs) {
    String mine = ID_PREFIX + nonce + "/";
    if (!queryId.startsWith(mine)) {
      return false;
    }
    String[] parts = queryId.substring(mine.length()).split("/");
    ModelProgress model = parts.length == 3 ? byModel.get(parts[0]) : null;
    if (model == null) {
      return false;
    }
    int partition = Integer.parseInt(parts[1]);
    partitionsReached.add(partition);
    String slot = parts[0] + "/" + partition;
    Long sentMs = lastSentBySlot.get(slot);
    if (sentMs != null && sentMs != Long.MIN_VALUE) {
      // The slot's latest send, no earlier than the answered one's: a bound on the safe side.
      readSinceMs.merge(partition, sentMs, Math::min);
    }
    lastSentBySlot.put(slot, Long.MIN_VALUE); // the slot may send its next one
    model.answered(status, latencyMs);
    return true;
  }

  /** Whether a model answered its quota and its last window's p95 stopped improving on the window before. */
  private boolean warm(String model) {
    ModelProgress progress = byModel.get(model);
    return progress.ok >= queriesPerModel && !Double.isNaN(progress.previousWindowP95)
        && progress.lastWindowP95 >= CONVERGED * progress.previousWindowP95;
  }

  /** The readiness announcement, or null while not ready. */
  public synchronized Readiness readiness(long nowMs) {
    if (partitionsReached.size() < partitions) {
      return null;
    }
    boolean warm = models.stream().allMatch(this::warm);
    if (!warm && nowMs - startMs < timeoutMs) {
      return null;
    }
    Map<String, ModelReadiness> models = new LinkedHashMap<>();
    byModel.forEach((name, m) -> models.put(name, new ModelReadiness(m.answered(), m.ok, m.expired, m.rejected,
        m.windowPercentile(50), m.windowPercentile(95), m.windowPercentile(99))));
    return new Readiness(warm, startMs, nowMs, models);
  }

  /** Whether the job is ready at {@code nowMs}. */
  public synchronized boolean ready(long nowMs) {
    return readiness(nowMs) != null;
  }

  /** What the job announces when ready: per model, its warm-up answers and their latency. */
  public record Readiness(boolean warm, long startMs, long readyMs, Map<String, ModelReadiness> models) {}

  /** One model's warm-up; latencies (ms, sent to answered) over its last complete window of OK answers. */
  public record ModelReadiness(long answered, long ok, long expired, long rejected,
      double p50Ms, double p95Ms, double p99Ms) {}

  private static final class ModelProgress {
    long ok;
    long expired;
    long rejected;
    /** Latencies of the OK answers of the window being filled, and of the last complete one. */
    final double[] filling;
    double[] last = new double[0];
    int filled;
    double lastWindowP95 = Double.NaN;
    double previousWindowP95 = Double.NaN;

    ModelProgress(int windowSize) {
      filling = new double[windowSize];
    }

    void answered(ResultStatus status, double latencyMs) {
      switch (status) {
        case OK -> {
          ok++;
          filling[filled++] = latencyMs;
          if (filled == filling.length) {
            last = filling.clone();
            java.util.Arrays.sort(last);
            filled = 0;
            previousWindowP95 = lastWindowP95;
            lastWindowP95 = windowPercentile(95);
          }
        }
        case EXPIRED -> expired++;
        default -> rejected++;
      }
    }

    /** Nearest-rank percentile of the last complete window, ms; 0 before one completed. */
    double windowPercentile(double percentile) {
      if (last.length == 0) {
        return 0;
      }
      int rank = (int) Math.ceil(percentile / 100.0 * last.length);
      return last[Math.max(0, rank - 1)];
    }

    long answered() {
      return ok + expired + rejected;
    }
  }
}

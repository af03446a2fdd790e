package io.deeprec.sched;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/**
 * Latency of one inference request as a function of its batch size, from a measured table
 * (the profiler's batch-size curve, or the reference's GPU batch-to-latency table).
 *
 * <p>Between measured sizes the curve is interpolated linearly in log(batch) - log(latency) space,
 * as the reference does for its accelerator table: request latency grows roughly as a power of the
 * batch size, so a straight line on log-log axes fits the gaps between powers of two far better
 * than a straight line on linear axes. Outside the table the nearest segment's slope is extended.
 * Slopes are clamped at >= 0 (a larger batch never runs faster; a measured dip is noise, so a
 * decreasing segment is read as flat). With a single point the latency
 * is taken as proportional to the batch size above it and constant below it.
 */
public final class LatencyCurve implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int[] batchSizes;
  private final double[] latenciesMs;

  /**
   * @param batchToLatencyMs measured latency (ms) of one request per batch size; at least one
   *     entry, every batch size >= 1 and every latency > 0
   */
  public LatencyCurve(Map<Integer, Double> batchToLatencyMs) {
    if (batchToLatencyMs == null || batchToLatencyMs.isEmpty()) {
      throw new IllegalArgumentException("a latency curve needs at least one (batch size, latency) point");
    }
    TreeMap<Integer, Double> sorted = new TreeMap<>(batchToLatencyMs);
    batchSizes = new int[sorted.size()];
    latenciesMs = new double[sorted.size()];
    int i = 0;
    for (Map.Entry<Integer, Double> point : sorted.entrySet()) {
      if (point.getKey() < 1) {
        throw new IllegalArgumentException("batch sizes must be >= 1: " + point.getKey());
      }
      if (!(point.getValue() > 0)) {
        throw new IllegalArgumentException("latency at batch " + point.getKey() + " must be > 0 ms: " + point.getValue());
      }
      batchSizes[i] = point.getKey();
      latenciesMs[i] = point.getValue();
      i++;
    }
  }

  /** Estimated latency (ms) of one request of {@code batchSize} items. */
  public double latencyMs(int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1: " + batchSize);
    }
    int n = batchSizes.length;
    if (n == 1) {
      return batchSize <= batchSizes[0] ? latenciesMs[0] : latenciesMs[0] * batchSize / batchSizes[0];
    }
    int upper = 1;
    while (upper < n - 1 && batchSizes[upper] < batchSize) {
      upper++;
    }
    int lower = upper - 1;
    double x0 = Math.log(batchSizes[lower]);
    double x1 = Math.log(batchSizes[upper]);
    double y0 = Math.log(latenciesMs[lower]);
    double y1 = Math.log(latenciesMs[upper]);
    double slope = Math.max(0.0, (y1 - y0) / (x1 - x0));
    return Math.exp(y0 + slope * (Math.log(batchSize) - x0));
  }

  /** The measured batch sizes, ascending. */
  public int[] batchSizes() {
    return batchSizes.clone();
  }
}

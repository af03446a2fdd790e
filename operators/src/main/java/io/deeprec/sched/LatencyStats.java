package io.deeprec.sched;

import org.HdrHistogram.Histogram;

/**
 * Latency percentiles in milliseconds with microsecond resolution (HdrHistogram, 3 significant
 * digits), for windows of completed queries.
 */
public final class LatencyStats {
  private static final long MAX_TRACKABLE_MICROS = 3_600_000_000L;

  private final Histogram histogram = new Histogram(MAX_TRACKABLE_MICROS, 3);

  public void record(double latencyMs) {
    long micros = Math.max(0L, Math.min(MAX_TRACKABLE_MICROS, Math.round(latencyMs * 1000.0)));
    histogram.recordValue(micros);
  }

  public void add(LatencyStats other) {
    histogram.add(other.histogram);
  }

  public long count() {
    return histogram.getTotalCount();
  }

  /** The given percentile (0-100) in ms, or 0 when nothing was recorded. */
  public double percentile(double percentile) {
    return count() == 0 ? 0.0 : histogram.getValueAtPercentile(percentile) / 1000.0;
  }

  public double maxMs() {
    return count() == 0 ? 0.0 : histogram.getMaxValue() / 1000.0;
  }

  public double meanMs() {
    return count() == 0 ? 0.0 : histogram.getMean() / 1000.0;
  }

  public void reset() {
    histogram.reset();
  }
}

package io.deeprec.sched;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;

/**
 * How many queries per second each setting can carry, from the workers' own timings (work per item, so a
 * drift of the query sizes does not void it) and, for a setting not measured yet, from the profiler's
 * batch-size curve scaled by what the measured settings cost beyond their profile (per-request costs the
 * profile's model calls leave out).
 */
final class CapacityEstimate implements Serializable {
  private static final long serialVersionUID = 1L;

  private final LatencyCurve profile;
  private final HashMap<BatchSettings, Double> workMsPerItem = new HashMap<>();

  /** @param profile the profiler's curve, null when there is none */
  CapacityEstimate(LatencyCurve profile) {
    this.profile = profile;
  }

  /** Records a measured step; the mean with an earlier measurement of the same setting. */
  void remember(MeasuredStep step, double meanQueryItems) {
    if (step.workMsPerQuery() > 0 && meanQueryItems >= 1) {
      workMsPerItem.merge(step.settings(), step.workMsPerQuery() / meanQueryItems, (before, now) -> (before + now) / 2);
    }
  }

  /** Queries/s of {@code settings} for queries of {@code meanQueryItems} on {@code workers}; NaN when unknown. */
  double capacityQps(BatchSettings settings, double meanQueryItems, int workers) {
    Double measured = workMsPerItem.get(settings);
    if (measured != null) {
      return MeasuredStep.capacityQps(workers, measured * meanQueryItems);
    }
    if (profile == null || settings.offloadThreshold() > 0) {
      return Double.NaN;
    }
    return MeasuredStep.capacityQps(workers, profiledWorkMs(settings.batchSize(), meanQueryItems) * measuredToProfile(meanQueryItems));
  }

  /** Worker time (ms) of a query of {@code queryItems} split at {@code batchSize}, by the profile. */
  double profiledWorkMs(int batchSize, double queryItems) {
    int items = Math.max(1, (int) Math.round(queryItems));
    int parts = QuerySplitter.requestCount(items, batchSize);
    int lastPart = items - (parts - 1) * batchSize;
    return (parts - 1) * profile.latencyMs(Math.min(batchSize, items)) + profile.latencyMs(lastPart);
  }

  /** Latency (ms) of a query of {@code queryItems} split at {@code batchSize} on idle workers, by the profile. */
  double profiledUnloadedMs(int batchSize, double queryItems, int workers) {
    int items = Math.max(1, (int) Math.round(queryItems));
    int parts = QuerySplitter.requestCount(items, batchSize);
    int rounds = (parts + Math.max(1, workers) - 1) / Math.max(1, workers);
    return rounds * profile.latencyMs(Math.min(batchSize, items));
  }

  boolean hasProfile() {
    return profile != null;
  }

  /** Mean measured-over-profiled work of the CPU-only settings measured so far; 1 when none. */
  private double measuredToProfile(double meanQueryItems) {
    double sum = 0;
    int count = 0;
    for (Map.Entry<BatchSettings, Double> entry : workMsPerItem.entrySet()) {
      if (entry.getKey().offloadThreshold() == 0) {
        sum += entry.getValue() * meanQueryItems / profiledWorkMs(entry.getKey().batchSize(), meanQueryItems);
        count++;
      }
    }
    return count == 0 ? 1.0 : sum / count;
  }
}

package io.deeprec.sched;

import java.io.Serializable;
import java.util.HashMap;

/**
 * How many queries per second each measured setting can carry, from what its queries cost (work per item, so
 * a drift of the query sizes does not void it); and the profiler's batch-size curve, which seeds the climb.
 * Capacity is never taken from the profile: it shows model time only, and the per-request costs it leaves
 * out are what decides between splitting and whole queries.
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

  /** Measured queries/s of {@code settings} for queries of {@code meanQueryItems} on {@code workers}; NaN when not measured. */
  double capacityQps(BatchSettings settings, double meanQueryItems, int workers) {
    Double measured = workMsPerItem.get(settings);
    return measured == null ? Double.NaN : MeasuredStep.capacityQps(workers, measured * meanQueryItems);
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
}

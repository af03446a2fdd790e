package io.deeprec.sched;

import java.io.Serializable;
import java.util.HashMap;
import java.util.List;

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

  /**
   * Worker time (ms) of a query of {@code queryItems} split at {@code batchSize} by the job's default
   * {@link SplitRule}, by the profile.
   */
  double profiledWorkMs(int batchSize, double queryItems) {
    double work = 0;
    for (QuerySplitter.Piece piece : parts(batchSize, queryItems)) {
      work += profile.latencyMs(piece.length());
    }
    return work;
  }

  /** Latency (ms) of a query of {@code queryItems} split at {@code batchSize} on idle workers, by the profile. */
  double profiledUnloadedMs(int batchSize, double queryItems, int workers) {
    List<QuerySplitter.Piece> parts = parts(batchSize, queryItems);
    int rounds = (parts.size() + Math.max(1, workers) - 1) / Math.max(1, workers);
    return rounds * profile.latencyMs(parts.stream().mapToInt(QuerySplitter.Piece::length).max().orElse(1));
  }

  private static List<QuerySplitter.Piece> parts(int batchSize, double queryItems) {
    int items = Math.max(1, (int) Math.round(queryItems));
    return QuerySplitter.plan(items, 0, new BatchSettings(batchSize, 0, 0), SplitRule.DEFAULT);
  }

  boolean hasProfile() {
    return profile != null;
  }
}

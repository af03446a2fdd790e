package io.deeprec.sched;

import java.io.Serializable;
import java.util.List;

/**
 * One setting as a climb step measured it, over a few windows.
 *
 * @param settings the setting measured
 * @param p95Ms the windows' p95 query latency (ms): their mean, or their median
 * @param qps completed queries per second over the windows
 * @param workMsPerQuery workers' time per completed query (ms), weighted by queries; NaN when not measured
 * @param capacityQps queries per second the workers complete when all are busy at that work; NaN when not measured
 */
record MeasuredStep(BatchSettings settings, double p95Ms, double qps, double workMsPerQuery, double capacityQps)
    implements Serializable {

  /** Queries/s that {@code workers} busy workers complete at {@code workMsPerQuery} each (workers < 1 counts as 1). */
  static double capacityQps(int workers, double workMsPerQuery) {
    return workMsPerQuery > 0 ? Math.max(1, workers) * 1000.0 / workMsPerQuery : Double.NaN;
  }

  /**
   * The step over {@code windows}, all served under {@code settings} by {@code workers} workers; its p95 the
   * median of the windows' p95s when {@code medianP95}, else their mean.
   */
  static MeasuredStep of(BatchSettings settings, List<WindowObservation> windows, int workers, boolean medianP95) {
    double queries = 0;
    double spanMs = 0;
    double p95Sum = 0;
    double work = 0;
    boolean workMeasured = true;
    for (WindowObservation window : windows) {
      queries += window.queries();
      spanMs += window.qps() > 0 ? window.queries() * 1000.0 / window.qps() : 0;
      p95Sum += window.p95Ms();
      workMeasured &= window.workMsPerQuery() > 0;
      work += window.workMsPerQuery() * window.queries();
    }
    double workMs = workMeasured && queries > 0 ? work / queries : Double.NaN;
    double p95 = medianP95 ? medianP95(windows) : p95Sum / windows.size();
    return new MeasuredStep(settings, p95, spanMs > 0 ? queries * 1000.0 / spanMs : 0, workMs,
        capacityQps(workers, workMs));
  }

  /**
   * One setting measured before and after another: the mean of the two measurements' p95, load and work per
   * query, and the capacity at that mean work.
   */
  static MeasuredStep around(MeasuredStep before, MeasuredStep after) {
    double work = (before.workMsPerQuery() + after.workMsPerQuery()) / 2;
    // Capacity is workers / work: at the mean work it is the harmonic mean of the two capacities.
    double capacity = 2 / (1 / before.capacityQps() + 1 / after.capacityQps());
    return new MeasuredStep(after.settings(), (before.p95Ms() + after.p95Ms()) / 2, (before.qps() + after.qps()) / 2,
        work, capacity);
  }

  private static double medianP95(List<WindowObservation> windows) {
    double[] p95s = windows.stream().mapToDouble(WindowObservation::p95Ms).sorted().toArray();
    int mid = p95s.length / 2;
    return p95s.length % 2 == 1 ? p95s[mid] : (p95s[mid - 1] + p95s[mid]) / 2;
  }
}

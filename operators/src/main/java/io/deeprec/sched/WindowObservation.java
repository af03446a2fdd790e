package io.deeprec.sched;

import java.io.Serializable;

/**
 * What a policy learns from one window of completed queries of one model (the metrics topic's
 * {@code MetricsSnapshot}, or a simulator's window).
 *
 * @param windowEndMs end of the window (ms, any monotonic clock)
 * @param queries queries completed in the window
 * @param qps completed queries per second over the window (equals the offered load when stable)
 * @param p50Ms median query latency in the window
 * @param p95Ms 95th percentile query latency in the window
 * @param p99Ms 99th percentile query latency in the window
 * @param applied the settings that were in force during the window
 * @param workMsPerQuery worker time (ms of model execution, summed over the requests that served
 *     the window's queries) per completed query: what a query really costs the workers under the
 *     applied settings, per-request overheads included; NaN when not measured
 * @param workers CPU worker threads that served the window (summed over the TaskManagers' pools);
 *     0 when unknown
 */
public record WindowObservation(
    long windowEndMs, long queries, double qps, double p50Ms, double p95Ms, double p99Ms, BatchSettings applied,
    double workMsPerQuery, int workers)
    implements Serializable {

  /** A window whose worker count is unknown. */
  public WindowObservation(long windowEndMs, long queries, double qps, double p50Ms, double p95Ms, double p99Ms,
      BatchSettings applied, double workMsPerQuery) {
    this(windowEndMs, queries, qps, p50Ms, p95Ms, p99Ms, applied, workMsPerQuery, 0);
  }

  /** A window whose worker time was not measured. */
  public WindowObservation(long windowEndMs, long queries, double qps, double p50Ms, double p95Ms, double p99Ms,
      BatchSettings applied) {
    this(windowEndMs, queries, qps, p50Ms, p95Ms, p99Ms, applied, Double.NaN);
  }
}

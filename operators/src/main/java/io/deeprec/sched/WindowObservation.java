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
 */
public record WindowObservation(
    long windowEndMs, long queries, double qps, double p50Ms, double p95Ms, double p99Ms, BatchSettings applied)
    implements Serializable {}

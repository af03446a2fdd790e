package io.deeprec.serving;

import java.util.function.LongSupplier;

/**
 * What a request costs a process's CPUs outside the model: over each interval, the process's CPU time less
 * the model time of the requests completed in it, per request. Charged to every request, it makes a query's
 * work (model time plus this, summed over its requests) the CPU the query cost the process: a query split
 * into k requests pays k shares, which is what splitting costs beyond the model calls (records, serialisation,
 * hand-offs, reassembly). Costs per query (Kafka, decoding) spread over the requests of the interval add the
 * same to every query and so do not change which setting costs least.
 *
 * <p>Model time is the model's wall time on its worker thread. When every core is busy, other threads (the
 * engine, a broker sharing the process, the collector) preempt the workers, and that CPU is then already in
 * the model's wall time rather than outside it: {@link #lastInterval} reports the model's CPU time beside its
 * wall time so that the two can be told apart.
 *
 * <p>Plain Java; thread-safe; one per process (the job's worker pool of a TaskManager).
 */
public final class RequestCpuCost {
  private final LongSupplier processCpuNanos;
  private final long intervalNanos;
  private long intervalStartNanos;
  private long intervalStartCpuNanos;
  private double modelMsInInterval;
  private double modelCpuMsInInterval;
  private long requestsInInterval;
  private double overheadMs;
  private long intervalsClosed;
  private Interval lastInterval;

  /**
   * @param processCpuNanos the process's CPU time so far (ns), e.g. OperatingSystemMXBean.getProcessCpuTime
   * @param intervalMs how often the estimate is renewed (ms), > 0
   * @param nowNanos the current monotonic time (ns)
   */
  public RequestCpuCost(LongSupplier processCpuNanos, long intervalMs, long nowNanos) {
    if (intervalMs <= 0) {
      throw new IllegalArgumentException("intervalMs must be > 0: " + intervalMs);
    }
    this.processCpuNanos = processCpuNanos;
    this.intervalNanos = intervalMs * 1_000_000L;
    this.intervalStartNanos = nowNanos;
    this.intervalStartCpuNanos = processCpuNanos.getAsLong();
  }

  /** Records a completed request that ran {@code modelMs} in the model; returns the current overhead per request (ms). */
  public synchronized double requestDone(double modelMs, long nowNanos) {
    return requestDone(modelMs, Double.NaN, nowNanos);
  }

  /**
   * The same, also told the CPU time the model took on its worker thread ({@code modelCpuMs}; NaN when
   * unknown), which {@link #lastInterval} reports beside the model's wall time.
   */
  public synchronized double requestDone(double modelMs, double modelCpuMs, long nowNanos) {
    modelMsInInterval += modelMs;
    modelCpuMsInInterval += modelCpuMs;
    requestsInInterval++;
    if (nowNanos - intervalStartNanos >= intervalNanos) {
      long cpuNanos = processCpuNanos.getAsLong();
      double cpuMs = (cpuNanos - intervalStartCpuNanos) / 1e6;
      double intervalMs = (nowNanos - intervalStartNanos) / 1e6;
      // Model time is wall time on a worker thread: preempted, it can exceed the CPU it used.
      overheadMs = Math.max(0.0, (cpuMs - modelMsInInterval) / requestsInInterval);
      intervalsClosed++;
      lastInterval = new Interval(requestsInInterval * 1000 / intervalMs, modelMsInInterval / intervalMs,
          modelCpuMsInInterval / intervalMs, cpuMs / intervalMs, overheadMs);
      intervalStartNanos = nowNanos;
      intervalStartCpuNanos = cpuNanos;
      modelMsInInterval = 0;
      modelCpuMsInInterval = 0;
      requestsInInterval = 0;
    }
    return overheadMs;
  }

  /** The CPU (ms) a request cost outside the model over the last full interval; 0 before the first. */
  public synchronized double overheadMsPerRequest() {
    return overheadMs;
  }

  /** Intervals closed so far. */
  public synchronized long intervalsClosed() {
    return intervalsClosed;
  }

  /** The last closed interval; null before the first. */
  public synchronized Interval lastInterval() {
    return lastInterval;
  }

  /**
   * What one interval measured, per second of it, for diagnostics.
   *
   * @param requestsPerSecond requests completed
   * @param modelWallCores the completed requests' model wall time
   * @param modelCpuCores their model CPU time on the worker threads (NaN when not told)
   * @param processCores the process's CPU time
   * @param overheadMsPerRequest what each request is charged from then on
   */
  public record Interval(double requestsPerSecond, double modelWallCores, double modelCpuCores, double processCores,
      double overheadMsPerRequest) {}
}

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
 * <p>Plain Java; thread-safe; one per process (the job's worker pool of a TaskManager).
 */
public final class RequestCpuCost {
  private final LongSupplier processCpuNanos;
  private final long intervalNanos;
  private long intervalStartNanos;
  private long intervalStartCpuNanos;
  private double modelMsInInterval;
  private long requestsInInterval;
  private double overheadMs;

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
    modelMsInInterval += modelMs;
    requestsInInterval++;
    if (nowNanos - intervalStartNanos >= intervalNanos) {
      long cpuNanos = processCpuNanos.getAsLong();
      double cpuMs = (cpuNanos - intervalStartCpuNanos) / 1e6;
      // Model time is wall time on a worker thread: preempted, it can exceed the CPU it used.
      overheadMs = Math.max(0.0, (cpuMs - modelMsInInterval) / requestsInInterval);
      intervalStartNanos = nowNanos;
      intervalStartCpuNanos = cpuNanos;
      modelMsInInterval = 0;
      requestsInInterval = 0;
    }
    return overheadMs;
  }

  /** The CPU (ms) a request cost outside the model over the last full interval; 0 before the first. */
  public synchronized double overheadMsPerRequest() {
    return overheadMs;
  }
}

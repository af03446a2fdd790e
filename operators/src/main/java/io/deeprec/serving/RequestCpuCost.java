package io.deeprec.serving;

import java.util.function.LongSupplier;

/**
 * The work a request is charged: the CPU time the model took on its worker thread, scaled by the workers over
 * the cores the rest of the process leaves them. A window's capacity is read as workers x 1000 / work per query
 * (ms); with this charge that is the cores left to the workers over the model's CPU per query, the queries/s
 * the workers complete once they use every core the process does not.
 *
 * <p>Why CPU time and not wall time: when every core is busy, the process's other threads (the engine, a broker
 * sharing the process, the collector) preempt the workers, and a model's wall time then holds their CPU. Wall
 * time less the process's CPU then hides those threads' cost under load and spreads it over the few requests
 * of a light load, so a capacity read from it rises with the load. The model's CPU time is the same at any
 * load, and so, nearly, is the CPU outside it (mostly a floor: the engine's and the broker's own threads), so
 * the capacity read here does not move with the load. What the requests add outside the model (records,
 * hand-offs, reassembly) is in the CPU outside at the current load, which takes those cores from the workers:
 * a setting that splits queries into more requests reads less capacity. At a heavier load they would take a
 * little more, so a light load's reading is a little high.
 *
 * <p>Plain Java; thread-safe; one per process (the job's worker pool of a TaskManager).
 */
public final class RequestCpuCost {
  private final LongSupplier processCpuNanos;
  private final int workers;
  private final int cores;
  private final long intervalNanos;
  private long intervalStartNanos;
  private long intervalStartCpuNanos;
  private double modelMsInInterval;
  private double modelCpuMsInInterval;
  private long requestsInInterval;
  private double workerScale = 1.0;
  private long intervalsClosed;
  private Interval lastInterval;

  /**
   * @param processCpuNanos the process's CPU time so far (ns), e.g. OperatingSystemMXBean.getProcessCpuTime
   * @param workers worker threads that run the model, > 0
   * @param cores cores the process may use (Runtime.availableProcessors), > 0
   * @param intervalMs how often the estimate is renewed (ms), > 0
   * @param nowNanos the current monotonic time (ns)
   */
  public RequestCpuCost(LongSupplier processCpuNanos, int workers, int cores, long intervalMs, long nowNanos) {
    if (workers <= 0 || cores <= 0) {
      throw new IllegalArgumentException("workers and cores must be > 0: " + workers + ", " + cores);
    }
    if (intervalMs <= 0) {
      throw new IllegalArgumentException("intervalMs must be > 0: " + intervalMs);
    }
    this.processCpuNanos = processCpuNanos;
    this.workers = workers;
    this.cores = cores;
    this.intervalNanos = intervalMs * 1_000_000L;
    this.intervalStartNanos = nowNanos;
    this.intervalStartCpuNanos = processCpuNanos.getAsLong();
  }

  /**
   * Records a completed request and returns the work it is charged (ms): its model CPU time ({@code modelCpuMs};
   * NaN when the thread's CPU time is unknown, then its wall time {@code modelMs}) times the last interval's
   * {@link #workerScale}.
   */
  public synchronized double requestDone(double modelMs, double modelCpuMs, long nowNanos) {
    double modelTimeMs = Double.isNaN(modelCpuMs) ? modelMs : modelCpuMs;
    double chargeMs = modelTimeMs * workerScale;
    modelMsInInterval += modelMs;
    modelCpuMsInInterval += modelTimeMs;
    requestsInInterval++;
    if (nowNanos - intervalStartNanos >= intervalNanos) {
      closeInterval(nowNanos);
    }
    return chargeMs;
  }

  private void closeInterval(long nowNanos) {
    long cpuNanos = processCpuNanos.getAsLong();
    double intervalMs = (nowNanos - intervalStartNanos) / 1e6;
    double processCores = (cpuNanos - intervalStartCpuNanos) / 1e6 / intervalMs;
    double modelCores = modelCpuMsInInterval / intervalMs;
    double outsideCores = Math.max(0.0, processCores - modelCores);
    // A worker uses at most one core, and the workers had at least the cores they used.
    double coresForWorkers = Math.max(modelCores, Math.min(workers, cores - outsideCores));
    if (coresForWorkers > 0) {
      workerScale = workers / coresForWorkers;
    }
    intervalsClosed++;
    lastInterval = new Interval(requestsInInterval * 1000 / intervalMs, modelMsInInterval / intervalMs, modelCores,
        processCores, coresForWorkers, workerScale);
    intervalStartNanos = nowNanos;
    intervalStartCpuNanos = cpuNanos;
    modelMsInInterval = 0;
    modelCpuMsInInterval = 0;
    requestsInInterval = 0;
  }

  /** Workers over the cores left to them in the last full interval (1 when every worker had a core of its own); 1 before the first. */
  public synchronized double workerScale() {
    return workerScale;
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
   * @param modelCpuCores their model CPU time on the worker threads (their wall time where the CPU time is unknown)
   * @param processCores the process's CPU time
   * @param coresForWorkers the cores the rest of the process left the workers, at most one per worker
   * @param workerScale what each request's model CPU time is multiplied by from then on
   */
  public record Interval(double requestsPerSecond, double modelWallCores, double modelCpuCores, double processCores,
      double coresForWorkers, double workerScale) {}
}

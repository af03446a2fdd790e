package io.deeprec.sched;

import java.io.Serializable;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@link BatchPolicies#create} needs to build any of the five policies for one model. Each
 * policy reads only the fields that concern it.
 *
 * @param targetP95Ms the model's p95 query-latency target (ms), > 0; used by aimd and deeprecsched
 * @param batchSize items per request for fixed, max merged batch for timeout, first batch size for
 *     aimd; 1..1024
 * @param maxQueueDelayMs longest wait (ms) of a partial request for timeout batching, > 0 there;
 *     fixed never waits (merging is what timeout is for)
 * @param workers CPU workers serving the model (deeprecsched's queueing seed); 0 = unknown
 * @param hasAccelerator whether an accelerator path exists (deeprecsched then also tunes the
 *     offload threshold)
 * @param profileMs the profiler's curve, request latency (ms) per batch size, to seed
 *     deeprecsched; empty = none
 * @param windowsPerStep deeprecsched: windows measured per hill-climbing step; 0 = its default
 * @param watchWindows deeprecsched: rolling windows watched for load changes once converged; 0 =
 *     its default
 * @param loadChangeFraction deeprecsched: relative change of the completed load that explores again; 0 = its
 *     default
 */
public record PolicyConfig(
    double targetP95Ms, int batchSize, long maxQueueDelayMs, int workers, boolean hasAccelerator, Map<Integer, Double> profileMs,
    int windowsPerStep, int watchWindows, double loadChangeFraction)
    implements Serializable {

  /** A config with deeprecsched's default pacing. */
  public PolicyConfig(double targetP95Ms, int batchSize, long maxQueueDelayMs, int workers, boolean hasAccelerator,
      Map<Integer, Double> profileMs) {
    this(targetP95Ms, batchSize, maxQueueDelayMs, workers, hasAccelerator, profileMs, 0, 0, 0);
  }

  /** Default batch size: 64 items per request. */
  public static final int DEFAULT_BATCH_SIZE = 64;
  /** Default max queue delay for timeout batching: 2 ms. */
  public static final long DEFAULT_MAX_QUEUE_DELAY_MS = 2;

  public PolicyConfig {
    if (!(targetP95Ms > 0)) {
      throw new IllegalArgumentException("target p95 must be > 0 ms: " + targetP95Ms);
    }
    if (batchSize < 1 || batchSize > BatchSettings.MAX_BATCH) {
      throw new IllegalArgumentException("batch size must be in [1, " + BatchSettings.MAX_BATCH + "]: " + batchSize);
    }
    if (maxQueueDelayMs < 0) {
      throw new IllegalArgumentException("max queue delay must be >= 0 ms: " + maxQueueDelayMs);
    }
    if (workers < 0) {
      throw new IllegalArgumentException("workers must be >= 0 (0 = unknown): " + workers);
    }
    if (windowsPerStep < 0 || watchWindows < 0) {
      throw new IllegalArgumentException("windows per step and watch windows must be >= 0 (0 = default)");
    }
    if (!(loadChangeFraction >= 0)) {
      throw new IllegalArgumentException("load change fraction must be >= 0 (0 = default): " + loadChangeFraction);
    }
    profileMs = profileMs == null ? Map.of() : Collections.unmodifiableSortedMap(new TreeMap<>(profileMs));
  }

  /** Defaults for a target: batch 64, 2 ms max delay, unknown workers, no accelerator, no profile. */
  public static PolicyConfig defaults(double targetP95Ms) {
    return new PolicyConfig(targetP95Ms, DEFAULT_BATCH_SIZE, DEFAULT_MAX_QUEUE_DELAY_MS, 0, false, Map.of());
  }

  public PolicyConfig withBatchSize(int value) {
    return new PolicyConfig(targetP95Ms, value, maxQueueDelayMs, workers, hasAccelerator, profileMs, windowsPerStep, watchWindows, loadChangeFraction);
  }

  public PolicyConfig withMaxQueueDelayMs(long value) {
    return new PolicyConfig(targetP95Ms, batchSize, value, workers, hasAccelerator, profileMs, windowsPerStep, watchWindows, loadChangeFraction);
  }

  public PolicyConfig withWorkers(int value) {
    return new PolicyConfig(targetP95Ms, batchSize, maxQueueDelayMs, value, hasAccelerator, profileMs, windowsPerStep, watchWindows, loadChangeFraction);
  }

  public PolicyConfig withAccelerator(boolean value) {
    return new PolicyConfig(targetP95Ms, batchSize, maxQueueDelayMs, workers, value, profileMs, windowsPerStep, watchWindows, loadChangeFraction);
  }

  /**
   * deeprecsched's pacing: windows per step, windows watched once converged, and the load change that explores
   * again (0 = default).
   */
  public PolicyConfig withPacing(int stepWindows, int watchedWindows, double loadChange) {
    return new PolicyConfig(targetP95Ms, batchSize, maxQueueDelayMs, workers, hasAccelerator, profileMs, stepWindows, watchedWindows,
        loadChange);
  }

  public PolicyConfig withProfileMs(Map<Integer, Double> value) {
    return new PolicyConfig(targetP95Ms, batchSize, maxQueueDelayMs, workers, hasAccelerator, value, windowsPerStep, watchWindows, loadChangeFraction);
  }
}

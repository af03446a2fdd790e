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
 * @param schedParameters deeprecsched's parameters; null = {@link SchedParameters#DEFAULTS}
 */
public record PolicyConfig(
    double targetP95Ms, int batchSize, long maxQueueDelayMs, int workers, boolean hasAccelerator, Map<Integer, Double> profileMs,
    SchedParameters schedParameters)
    implements Serializable {

  /** A config with deeprecsched's default parameters. */
  public PolicyConfig(double targetP95Ms, int batchSize, long maxQueueDelayMs, int workers, boolean hasAccelerator,
      Map<Integer, Double> profileMs) {
    this(targetP95Ms, batchSize, maxQueueDelayMs, workers, hasAccelerator, profileMs, SchedParameters.DEFAULTS);
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
    schedParameters = schedParameters == null ? SchedParameters.DEFAULTS : schedParameters;
    profileMs = profileMs == null ? Map.of() : Collections.unmodifiableSortedMap(new TreeMap<>(profileMs));
  }

  /** Defaults for a target: batch 64, 2 ms max delay, unknown workers, no accelerator, no profile. */
  public static PolicyConfig defaults(double targetP95Ms) {
    return new PolicyConfig(targetP95Ms, DEFAULT_BATCH_SIZE, DEFAULT_MAX_QUEUE_DELAY_MS, 0, false, Map.of());
  }

  public PolicyConfig withBatchSize(int value) {
    return new PolicyConfig(targetP95Ms, value, maxQueueDelayMs, workers, hasAccelerator, profileMs, schedParameters);
  }

  public PolicyConfig withMaxQueueDelayMs(long value) {
    return new PolicyConfig(targetP95Ms, batchSize, value, workers, hasAccelerator, profileMs, schedParameters);
  }

  public PolicyConfig withWorkers(int value) {
    return new PolicyConfig(targetP95Ms, batchSize, maxQueueDelayMs, value, hasAccelerator, profileMs, schedParameters);
  }

  public PolicyConfig withAccelerator(boolean value) {
    return new PolicyConfig(targetP95Ms, batchSize, maxQueueDelayMs, workers, value, profileMs, schedParameters);
  }

  /** deeprecsched's parameters (null = the defaults). */
  public PolicyConfig withSchedParameters(SchedParameters value) {
    return new PolicyConfig(targetP95Ms, batchSize, maxQueueDelayMs, workers, hasAccelerator, profileMs, value);
  }

  public PolicyConfig withProfileMs(Map<Integer, Double> value) {
    return new PolicyConfig(targetP95Ms, batchSize, maxQueueDelayMs, workers, hasAccelerator, value, schedParameters);
  }
}

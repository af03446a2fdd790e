package io.deeprec.sched;

import java.io.Serializable;

/**
 * What a batch policy tells the micro-batcher, for one model at one moment.
 *
 * @param batchSize most candidate items in one inference request; a larger query is split into
 *     ceil(N / batchSize) requests that run in parallel on different workers
 * @param maxQueueDelayMs how long (ms) a request smaller than {@code batchSize} may wait to be
 *     merged with other queries' items; 0 releases every request at once (no merging)
 * @param offloadThreshold queries with N >= this go whole to the accelerator path; 0 = never
 */
public record BatchSettings(int batchSize, long maxQueueDelayMs, int offloadThreshold) implements Serializable {

  /** Largest request the models accept (also the largest query). */
  public static final int MAX_BATCH = 1024;

  public BatchSettings {
    if (batchSize < 1 || batchSize > MAX_BATCH) {
      throw new IllegalArgumentException("batch size must be in [1, " + MAX_BATCH + "]: " + batchSize);
    }
    if (maxQueueDelayMs < 0) {
      throw new IllegalArgumentException("max queue delay must be >= 0 ms: " + maxQueueDelayMs);
    }
    if (offloadThreshold < 0) {
      throw new IllegalArgumentException("offload threshold must be >= 0 (0 = off): " + offloadThreshold);
    }
  }

  /** Request sizes to run once before taking traffic: powers of two below the batch size, and it. */
  public int[] warmupBatchSizes() {
    java.util.List<Integer> sizes = new java.util.ArrayList<>();
    for (int size = 1; size < batchSize; size *= 2) {
      sizes.add(size);
    }
    sizes.add(batchSize);
    return sizes.stream().mapToInt(Integer::intValue).toArray();
  }

  public boolean merges() {
    return maxQueueDelayMs > 0;
  }

  public boolean offloads(int queryItems) {
    return offloadThreshold > 0 && queryItems >= offloadThreshold;
  }
}

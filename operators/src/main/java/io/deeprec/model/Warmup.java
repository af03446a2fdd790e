package io.deeprec.model;

import java.util.SplittableRandom;

/**
 * Warms a scorer before it takes traffic: the first calls at a new batch shape pay for allocator
 * growth and kernel selection in libtorch (milliseconds), which would otherwise land in the tail
 * latency of the first real requests.
 */
public final class Warmup {
  private Warmup() {}

  /** Runs {@code runs} random batches of every size in {@code batchSizes} through {@code scorer}. */
  public static void warmUp(ModelScorer scorer, ModelSpec spec, int[] batchSizes, int runs) {
    SplittableRandom random = new SplittableRandom(0x3A11L);
    for (int size : batchSizes) {
      if (size < 1) {
        continue;
      }
      FeatureBatch batch = FeatureStore.randomBatch(spec, size, random);
      for (int i = 0; i < runs; i++) {
        scorer.score(batch);
      }
    }
  }
}

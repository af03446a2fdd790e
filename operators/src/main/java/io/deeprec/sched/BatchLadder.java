package io.deeprec.sched;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** The settings DeepRecSched climbs over: batch-size rungs, then offload-threshold rungs. */
final class BatchLadder {

  private BatchLadder() {}

  /**
   * Batch-size rungs, largest first: the candidates and {@code incumbent}. Sizes at or above the largest query seen split nothing and collapse into one rung
   * (the incumbent if it is one of them, else the largest, which also leaves later, larger queries whole).
   */
  static List<BatchSettings> batchRungs(List<Integer> candidates, int maxQueryItems, int incumbent, int offloadThreshold) {
    TreeSet<Integer> sizes = new TreeSet<>(candidates);
    sizes.add(incumbent);
    if (maxQueryItems > 0) {
      TreeSet<Integer> noSplit = new TreeSet<>(sizes.tailSet(maxQueryItems, true));
      if (noSplit.size() > 1) {
        sizes.removeAll(noSplit);
        sizes.add(noSplit.contains(incumbent) ? incumbent : noSplit.last());
      }
    }
    List<BatchSettings> rungs = new ArrayList<>();
    for (int size : sizes.descendingSet()) {
      rungs.add(new BatchSettings(size, 0, offloadThreshold));
    }
    return rungs;
  }

  /** Offload rungs in order of more offloading: off, then the thresholds (and the base's) from high to low. */
  static List<BatchSettings> offloadRungs(List<Integer> thresholds, BatchSettings base) {
    TreeSet<Integer> sorted = new TreeSet<>(thresholds);
    if (base.offloadThreshold() > 0) {
      sorted.add(base.offloadThreshold());
    }
    List<BatchSettings> rungs = new ArrayList<>();
    rungs.add(new BatchSettings(base.batchSize(), 0, 0));
    for (int threshold : sorted.descendingSet()) {
      rungs.add(new BatchSettings(base.batchSize(), 0, threshold));
    }
    return rungs;
  }
}

package io.deeprec.sched;

import java.io.Serializable;
import java.util.List;

/**
 * Every constant of {@link DeepRecSchedPolicy}, in one place. docs/scheduler.md gives the ablation
 * that each one earned its place in ({@code deeprec ablation}).
 *
 * @param batchCandidates absolute batch sizes of the ladder, each 1..1024 (an embedding-bound model may serve
 *     the most items per second in small requests, so the ladder reaches down to a few items)
 * @param offloadThresholds query sizes (items) tried as the offload threshold when an accelerator exists
 * @param windowsPerStep windows averaged per measured setting, >= 1
 * @param capacityMargin relative capacity difference below which two settings tie, in [0, 1): the measured
 *     work per query of one step varies by a few percent between identical settings
 * @param p95Band relative difference of two steps' p95 below which they tie, in [0, 1): the mean p95 of a few
 *     windows varies by about this much between identical settings
 * @param plateauSteps rungs the climb walks on through ties before it ends a direction, >= 0: several
 *     sizes split typical queries alike, so a tie need not be the top
 * @param loadChangeFraction relative change of the completed load that starts a new exploration, > 0
 * @param watchWindows windows in the rolling load and p95 watched once converged, >= 1
 * @param expectedQueryItems mean query size assumed until sizes are observed, >= 1 (DeepRecInfra's
 *     lognormal(5.1, 0.2) has mean 167)
 * @param seedLatencyShare share of the target a typical query may take unloaded under the seed setting, in
 *     (0, 1]: the rest is left to queueing
 * @param skipLosers whether the climb skips rungs measured (in an earlier climb) with clearly less capacity than
 *     a best which meets the target (by the objective they cannot win)
 * @param medianStepP95 whether a step's p95 is the median of its windows' p95s (else their mean): one window
 *     caught by a stall of the whole process (a collection, a checkpoint) must not decide a step
 * @param missesByCapacity whether, between two settings that both miss the target, clearly more capacity wins
 *     as it does between two that meet it (the objective's second half), the lower p95 deciding only a
 *     capacity tie; else capacity decides a miss only when either runs saturated
 * @param steadyStartSteps how often at most a climb's start is measured again until its capacity holds still
 *     (within {@code capacityMargin} of the measurement before), >= 0; 0 = never: a cold start that is still
 *     warming up makes every later rung look cheaper than the start
 * @param confirmWins whether a rung that beats the climb's best must also beat the mean of the best measured
 *     before it and again right after it (side by side), so that a machine getting faster between the two
 *     measurements does not decide
 * @param loadChangeNeedsMiss whether a load change explores again only when the choice misses the target at the
 *     new load (the median p95 of the watch span's windows over it); else every load change does. The choice
 *     has the most capacity measured among the settings that met the target: one with more capacity missed it
 *     by its own latency, which a load change does not cure, so while the choice meets the target it stands
 * @param minStepQueries queries a step measures at least, >= 0 (its windows run on past {@code windowsPerStep}
 *     until they hold this many): at a low load a few windows hold too few queries for their p95s to tell two
 *     settings apart; 0 = windows alone
 * @param losersEndDirection whether a rung that cannot win ({@code skipLosers}) ends the climb's walk in its
 *     direction, as a measured loss does, instead of being stepped over to the rungs beyond it; not adopted:
 *     no gain through the product (docs/scheduler.md)
 * @param tiesToLargerBatch whether, of two settings that tie (by capacity and by p95), the climb keeps the one with
 *     the larger batch size (else the one it measured first): a setting that splits queries into more requests
 *     pays for each of them outside the model too, and a light load's capacity reading charges that work at the
 *     light load's rate, so of two settings read alike the one that splits less has more capacity once the load
 *     nears it; not adopted: on the simulator it costs where the target is tight (docs/scheduler.md)
 * @param saturatedByCapacityOnly whether, between two settings that miss the target while either runs saturated,
 *     capacity alone decides and a capacity tie stays a tie (else the lower p95 breaks it): under saturation the
 *     p95 measures the backlog's course over the step, not the setting; not adopted: no consistent gain on the
 *     simulator, behind the default through the product (docs/scheduler.md)
 */
public record SchedParameters(
    List<Integer> batchCandidates, List<Integer> offloadThresholds, int windowsPerStep, double capacityMargin,
    double p95Band, int plateauSteps, double loadChangeFraction, int watchWindows, double expectedQueryItems,
    double seedLatencyShare, boolean skipLosers, boolean medianStepP95, boolean missesByCapacity,
    int steadyStartSteps, boolean confirmWins, int minStepQueries, boolean loadChangeNeedsMiss,
    boolean losersEndDirection, boolean tiesToLargerBatch, boolean saturatedByCapacityOnly)
    implements Serializable {

  /** The defaults; docs/scheduler.md gives the ablation behind each. */
  public static final SchedParameters DEFAULTS = new SchedParameters(
      List.of(1024, 512, 384, 256, 192, 128, 96, 64, 48, 32, 16, 8, 4), List.of(512, 384, 256, 192, 128, 96),
      4, 0.05, 0.10, 2, 0.25, 8, 167.0, 0.5, true, false, false, 0, true, 0, false, false, false, false);

  public SchedParameters {
    batchCandidates = List.copyOf(batchCandidates);
    offloadThresholds = List.copyOf(offloadThresholds);
    String where = "deeprecsched: ";
    if (batchCandidates.isEmpty()) {
      throw new IllegalArgumentException(where + "batchCandidates must not be empty");
    }
    for (int size : batchCandidates) {
      requireBatch(where + "batchCandidates", size);
    }
    for (int threshold : offloadThresholds) {
      requireBatch(where + "offloadThresholds", threshold);
    }
    require(windowsPerStep >= 1, where + "windowsPerStep must be >= 1: " + windowsPerStep);
    require(capacityMargin >= 0 && capacityMargin < 1, where + "capacityMargin must be in [0, 1): " + capacityMargin);
    require(p95Band >= 0 && p95Band < 1, where + "p95Band must be in [0, 1): " + p95Band);
    require(plateauSteps >= 0, where + "plateauSteps must be >= 0: " + plateauSteps);
    require(loadChangeFraction > 0, where + "loadChangeFraction must be > 0: " + loadChangeFraction);
    require(watchWindows >= 1, where + "watchWindows must be >= 1: " + watchWindows);
    require(expectedQueryItems >= 1, where + "expectedQueryItems must be >= 1: " + expectedQueryItems);
    require(minStepQueries >= 0, where + "minStepQueries must be >= 0: " + minStepQueries);
    require(steadyStartSteps >= 0, where + "steadyStartSteps must be >= 0: " + steadyStartSteps);
    require(seedLatencyShare > 0 && seedLatencyShare <= 1, where + "seedLatencyShare must be in (0, 1]: " + seedLatencyShare);
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }

  private static void requireBatch(String name, int size) {
    require(size >= 1 && size <= BatchSettings.MAX_BATCH, name + " must be in [1, " + BatchSettings.MAX_BATCH + "]: " + size);
  }

  public SchedParameters withBatchCandidates(List<Integer> value) {
    return new SchedParameters(value, offloadThresholds, windowsPerStep, capacityMargin, p95Band, plateauSteps, loadChangeFraction, watchWindows, expectedQueryItems, seedLatencyShare, skipLosers, medianStepP95, missesByCapacity, steadyStartSteps, confirmWins, minStepQueries, loadChangeNeedsMiss, losersEndDirection, tiesToLargerBatch, saturatedByCapacityOnly);
  }

  public SchedParameters withOffloadThresholds(List<Integer> value) {
    return new SchedParameters(batchCandidates, value, windowsPerStep, capacityMargin, p95Band, plateauSteps, loadChangeFraction, watchWindows, expectedQueryItems, seedLatencyShare, skipLosers, medianStepP95, missesByCapacity, steadyStartSteps, confirmWins, minStepQueries, loadChangeNeedsMiss, losersEndDirection, tiesToLargerBatch, saturatedByCapacityOnly);
  }

  public SchedParameters withWindowsPerStep(int value) {
    return new SchedParameters(batchCandidates, offloadThresholds, value, capacityMargin, p95Band, plateauSteps, loadChangeFraction, watchWindows, expectedQueryItems, seedLatencyShare, skipLosers, medianStepP95, missesByCapacity, steadyStartSteps, confirmWins, minStepQueries, loadChangeNeedsMiss, losersEndDirection, tiesToLargerBatch, saturatedByCapacityOnly);
  }

  public SchedParameters withCapacityMargin(double value) {
    return new SchedParameters(batchCandidates, offloadThresholds, windowsPerStep, value, p95Band, plateauSteps, loadChangeFraction, watchWindows, expectedQueryItems, seedLatencyShare, skipLosers, medianStepP95, missesByCapacity, steadyStartSteps, confirmWins, minStepQueries, loadChangeNeedsMiss, losersEndDirection, tiesToLargerBatch, saturatedByCapacityOnly);
  }

  public SchedParameters withP95Band(double value) {
    return new SchedParameters(batchCandidates, offloadThresholds, windowsPerStep, capacityMargin, value, plateauSteps, loadChangeFraction, watchWindows, expectedQueryItems, seedLatencyShare, skipLosers, medianStepP95, missesByCapacity, steadyStartSteps, confirmWins, minStepQueries, loadChangeNeedsMiss, losersEndDirection, tiesToLargerBatch, saturatedByCapacityOnly);
  }

  public SchedParameters withPlateauSteps(int value) {
    return new SchedParameters(batchCandidates, offloadThresholds, windowsPerStep, capacityMargin, p95Band, value, loadChangeFraction, watchWindows, expectedQueryItems, seedLatencyShare, skipLosers, medianStepP95, missesByCapacity, steadyStartSteps, confirmWins, minStepQueries, loadChangeNeedsMiss, losersEndDirection, tiesToLargerBatch, saturatedByCapacityOnly);
  }

  public SchedParameters withLoadChangeFraction(double value) {
    return new SchedParameters(batchCandidates, offloadThresholds, windowsPerStep, capacityMargin, p95Band, plateauSteps, value, watchWindows, expectedQueryItems, seedLatencyShare, skipLosers, medianStepP95, missesByCapacity, steadyStartSteps, confirmWins, minStepQueries, loadChangeNeedsMiss, losersEndDirection, tiesToLargerBatch, saturatedByCapacityOnly);
  }

  public SchedParameters withWatchWindows(int value) {
    return new SchedParameters(batchCandidates, offloadThresholds, windowsPerStep, capacityMargin, p95Band, plateauSteps, loadChangeFraction, value, expectedQueryItems, seedLatencyShare, skipLosers, medianStepP95, missesByCapacity, steadyStartSteps, confirmWins, minStepQueries, loadChangeNeedsMiss, losersEndDirection, tiesToLargerBatch, saturatedByCapacityOnly);
  }

  public SchedParameters withExpectedQueryItems(double value) {
    return new SchedParameters(batchCandidates, offloadThresholds, windowsPerStep, capacityMargin, p95Band, plateauSteps, loadChangeFraction, watchWindows, value, seedLatencyShare, skipLosers, medianStepP95, missesByCapacity, steadyStartSteps, confirmWins, minStepQueries, loadChangeNeedsMiss, losersEndDirection, tiesToLargerBatch, saturatedByCapacityOnly);
  }

  public SchedParameters withSeedLatencyShare(double value) {
    return new SchedParameters(batchCandidates, offloadThresholds, windowsPerStep, capacityMargin, p95Band, plateauSteps, loadChangeFraction, watchWindows, expectedQueryItems, value, skipLosers, medianStepP95, missesByCapacity, steadyStartSteps, confirmWins, minStepQueries, loadChangeNeedsMiss, losersEndDirection, tiesToLargerBatch, saturatedByCapacityOnly);
  }

  public SchedParameters withSkipLosers(boolean value) {
    return new SchedParameters(batchCandidates, offloadThresholds, windowsPerStep, capacityMargin, p95Band, plateauSteps, loadChangeFraction, watchWindows, expectedQueryItems, seedLatencyShare, value, medianStepP95, missesByCapacity, steadyStartSteps, confirmWins, minStepQueries, loadChangeNeedsMiss, losersEndDirection, tiesToLargerBatch, saturatedByCapacityOnly);
  }

  public SchedParameters withMedianStepP95(boolean value) {
    return new SchedParameters(batchCandidates, offloadThresholds, windowsPerStep, capacityMargin, p95Band, plateauSteps, loadChangeFraction, watchWindows, expectedQueryItems, seedLatencyShare, skipLosers, value, missesByCapacity, steadyStartSteps, confirmWins, minStepQueries, loadChangeNeedsMiss, losersEndDirection, tiesToLargerBatch, saturatedByCapacityOnly);
  }

  public SchedParameters withMissesByCapacity(boolean value) {
    return new SchedParameters(batchCandidates, offloadThresholds, windowsPerStep, capacityMargin, p95Band, plateauSteps, loadChangeFraction, watchWindows, expectedQueryItems, seedLatencyShare, skipLosers, medianStepP95, value, steadyStartSteps, confirmWins, minStepQueries, loadChangeNeedsMiss, losersEndDirection, tiesToLargerBatch, saturatedByCapacityOnly);
  }

  public SchedParameters withSteadyStartSteps(int value) {
    return new SchedParameters(batchCandidates, offloadThresholds, windowsPerStep, capacityMargin, p95Band, plateauSteps, loadChangeFraction, watchWindows, expectedQueryItems, seedLatencyShare, skipLosers, medianStepP95, missesByCapacity, value, confirmWins, minStepQueries, loadChangeNeedsMiss, losersEndDirection, tiesToLargerBatch, saturatedByCapacityOnly);
  }

  public SchedParameters withConfirmWins(boolean value) {
    return new SchedParameters(batchCandidates, offloadThresholds, windowsPerStep, capacityMargin, p95Band, plateauSteps, loadChangeFraction, watchWindows, expectedQueryItems, seedLatencyShare, skipLosers, medianStepP95, missesByCapacity, steadyStartSteps, value, minStepQueries, loadChangeNeedsMiss, losersEndDirection, tiesToLargerBatch, saturatedByCapacityOnly);
  }

  public SchedParameters withLoadChangeNeedsMiss(boolean value) {
    return new SchedParameters(batchCandidates, offloadThresholds, windowsPerStep, capacityMargin, p95Band, plateauSteps, loadChangeFraction, watchWindows, expectedQueryItems, seedLatencyShare, skipLosers, medianStepP95, missesByCapacity, steadyStartSteps, confirmWins, minStepQueries, value, losersEndDirection, tiesToLargerBatch, saturatedByCapacityOnly);
  }

  public SchedParameters withLosersEndDirection(boolean value) {
    return new SchedParameters(batchCandidates, offloadThresholds, windowsPerStep, capacityMargin, p95Band, plateauSteps, loadChangeFraction, watchWindows, expectedQueryItems, seedLatencyShare, skipLosers, medianStepP95, missesByCapacity, steadyStartSteps, confirmWins, minStepQueries, loadChangeNeedsMiss, value, tiesToLargerBatch, saturatedByCapacityOnly);
  }

  public SchedParameters withMinStepQueries(int value) {
    return new SchedParameters(batchCandidates, offloadThresholds, windowsPerStep, capacityMargin, p95Band, plateauSteps, loadChangeFraction, watchWindows, expectedQueryItems, seedLatencyShare, skipLosers, medianStepP95, missesByCapacity, steadyStartSteps, confirmWins, value, loadChangeNeedsMiss, losersEndDirection, tiesToLargerBatch, saturatedByCapacityOnly);
  }

  public SchedParameters withTiesToLargerBatch(boolean value) {
    return new SchedParameters(batchCandidates, offloadThresholds, windowsPerStep, capacityMargin, p95Band, plateauSteps, loadChangeFraction, watchWindows, expectedQueryItems, seedLatencyShare, skipLosers, medianStepP95, missesByCapacity, steadyStartSteps, confirmWins, minStepQueries, loadChangeNeedsMiss, losersEndDirection, value, saturatedByCapacityOnly);
  }

  public SchedParameters withSaturatedByCapacityOnly(boolean value) {
    return new SchedParameters(batchCandidates, offloadThresholds, windowsPerStep, capacityMargin, p95Band, plateauSteps, loadChangeFraction, watchWindows, expectedQueryItems, seedLatencyShare, skipLosers, medianStepP95, missesByCapacity, steadyStartSteps, confirmWins, minStepQueries, loadChangeNeedsMiss, losersEndDirection, tiesToLargerBatch, value);
  }
}

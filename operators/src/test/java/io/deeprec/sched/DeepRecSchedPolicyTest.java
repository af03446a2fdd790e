package io.deeprec.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * The hill climber on noiseless synthetic landscapes (p95 as a function of the settings), fed one
 * window at a time with the settings the policy asked for; the simulator tests cover noisy ones.
 */
class DeepRecSchedPolicyTest {

  /** p95 = 10 ms at the best batch size, +10 ms per halving or doubling away from it. */
  private static ToDoubleFunction<BatchSettings> valleyAt(int bestBatch) {
    return s -> 10 + 10 * Math.abs(Math.log(s.batchSize() / (double) bestBatch) / Math.log(2));
  }

  /** Short steps, and a narrow band: these landscapes have no noise, and their neighbouring rungs differ by 10-20%. */
  private static DeepRecSchedPolicy.Builder quickPolicy(double targetMs) {
    return DeepRecSchedPolicy.builder(targetMs).windowsPerStep(2).transitionWindows(1).watchWindows(4).stableBand(0.10)
        .dropBand(0.20);
  }

  private static void feed(DeepRecSchedPolicy policy, int windows, double qps, ToDoubleFunction<BatchSettings> landscape) {
    for (int i = 0; i < windows; i++) {
      BatchSettings applied = policy.settings();
      double p95 = landscape.applyAsDouble(applied);
      policy.observe(new WindowObservation(i, 64, qps, p95 / 2, p95, p95 * 1.2, applied));
    }
  }

  /** Without a profile it starts unsplit (1024) and climbs down to 84 = ceil(167 / 2), a split-in-two candidate. */
  @Test
  void climbsToTheSplitInKPartsCandidateAGridOfPowersOfTwoMisses() {
    DeepRecSchedPolicy policy = quickPolicy(50).build();
    assertThat(policy.settings().batchSize()).isEqualTo(1024);

    feed(policy, 200, 100, valleyAt(84));

    assertThat(policy.converged()).isTrue();
    assertThat(policy.settings().batchSize()).isEqualTo(84);
  }

  /** Once converged under a stationary load, nothing changes: no oscillation. */
  @Test
  void holdsItsChoiceUnderStationaryLoad() {
    DeepRecSchedPolicy policy = quickPolicy(50).build();
    feed(policy, 200, 100, valleyAt(64));
    BatchSettings chosen = policy.settings();

    for (int i = 0; i < 500; i++) {
      BatchSettings applied = policy.settings();
      double p95 = valleyAt(64).applyAsDouble(applied) * (i % 2 == 0 ? 1.05 : 0.95);
      assertThat(policy.observe(new WindowObservation(i, 64, 100 * (i % 2 == 0 ? 1.1 : 0.9), p95, p95, p95, applied))).isEqualTo(chosen);
    }
    assertThat(policy.explorations()).isEqualTo(1);
  }

  /** A load step beyond the load-change fraction starts a new climb, toward larger batches first. */
  @Test
  void reExploresWhenTheLoadChanges() {
    DeepRecSchedPolicy policy = quickPolicy(50).build();
    feed(policy, 200, 100, valleyAt(84));
    assertThat(policy.settings().batchSize()).isEqualTo(84);

    feed(policy, 200, 200, valleyAt(128));

    assertThat(policy.explorations()).isEqualTo(2);
    assertThat(policy.converged()).isTrue();
    assertThat(policy.settings().batchSize()).isEqualTo(128);
  }

  /** A newly missed target triggers exploration; a target that was never met does not, until the load moves. */
  @Test
  void reExploresOnANewTargetMissOnly() {
    DeepRecSchedPolicy meets = quickPolicy(20).build();
    feed(meets, 200, 100, valleyAt(84));
    feed(meets, 10, 100, s -> 30);
    assertThat(meets.explorations()).isEqualTo(2);

    DeepRecSchedPolicy neverMet = quickPolicy(5).build();
    feed(neverMet, 200, 100, valleyAt(84));
    feed(neverMet, 50, 100, s -> 30);
    assertThat(neverMet.explorations()).isEqualTo(1);
  }

  /** A miss shorter than a watch span (the p95 of a choice near the LBT crossing the target now and then) changes nothing. */
  @Test
  void aShortMissDoesNotReExplore() {
    DeepRecSchedPolicy policy = quickPolicy(20).build();
    feed(policy, 200, 100, valleyAt(84));
    assertThat(policy.settings().batchSize()).isEqualTo(84);

    feed(policy, 3, 100, s -> 30);
    feed(policy, 50, 100, valleyAt(84));

    assertThat(policy.explorations()).isEqualTo(1);
    assertThat(policy.settings().batchSize()).isEqualTo(84);
  }

  /**
   * A new miss at the load the choice was made at starts from the choice and looks toward more
   * capacity first: the smaller batches were measured at this load already, and walking back
   * through them would build a backlog.
   */
  @Test
  void aMissAtTheSameLoadClimbsFromTheChoiceTowardLargerBatches() {
    DeepRecSchedPolicy policy = quickPolicy(20).profileMs(profile(POOL_CURVE_SIZES, b -> 1 + 0.02 * b)).workers(2).build();
    feed(policy, 200, 100, valleyAt(256));
    int chosen = policy.settings().batchSize();
    assertThat(policy.converged()).isTrue();
    assertThat(chosen).isEqualTo(256);

    List<Integer> visited = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      BatchSettings applied = policy.settings();
      if (visited.isEmpty() || visited.get(visited.size() - 1) != applied.batchSize()) {
        visited.add(applied.batchSize());
      }
      double p95 = i < 10 ? 30 : valleyAt(256).applyAsDouble(applied);
      policy.observe(new WindowObservation(i, 64, 100, p95 / 2, p95, p95 * 1.2, applied));
    }

    assertThat(policy.explorations()).isEqualTo(2);
    assertThat(visited).hasSizeGreaterThan(1);
    assertThat(visited.get(1)).as("first rung after the miss, from %s", visited).isGreaterThan(chosen);
  }

  /**
   * A choice that never met the target is explored again once the load falls by half the
   * load-change fraction and the target is still missed (a choice made under overload), not before.
   */
  @Test
  void reExploresAChoiceThatNeverMetTheTargetWhenTheLoadFalls() {
    DeepRecSchedPolicy policy = quickPolicy(5).build();
    feed(policy, 200, 100, valleyAt(84));
    feed(policy, 50, 95, s -> 30);
    assertThat(policy.explorations()).as("5% lower load").isEqualTo(1);

    feed(policy, 50, 80, s -> 30);

    assertThat(policy.explorations()).as("20% lower load").isEqualTo(2);
  }

  /** With an accelerator the batch-size climb is followed by a climb over offload thresholds. */
  @Test
  void thenClimbsOverOffloadThresholdsWhenAnAcceleratorExists() {
    DeepRecSchedPolicy policy = quickPolicy(50).hasAccelerator(true).build();
    ToDoubleFunction<BatchSettings> batch = valleyAt(84);
    ToDoubleFunction<BatchSettings> landscape = s -> batch.applyAsDouble(s) * switch (s.offloadThreshold()) {
      case 0 -> 1.0;
      case 512 -> 0.95;
      case 384 -> 0.8;
      case 256 -> 0.6;
      case 192 -> 0.4;
      case 128 -> 0.6;
      default -> 0.8;
    };

    feed(policy, 300, 100, landscape);

    assertThat(policy.converged()).isTrue();
    assertThat(policy.settings()).isEqualTo(new BatchSettings(84, 0, 192));
  }

  @Test
  void neverOffloadsWithoutAnAccelerator() {
    DeepRecSchedPolicy policy = quickPolicy(50).build();
    feed(policy, 300, 100, s -> valleyAt(84).applyAsDouble(s) - (s.offloadThreshold() > 0 ? 5 : 0));
    assertThat(policy.settings().offloadThreshold()).isZero();
  }

  /** The profile seeds the first batch: the largest whose request latency is at most 20% of the target. */
  @Test
  void seedsTheFirstBatchFromTheProfile() {
    java.util.Map<Integer, Double> profile = java.util.Map.of(16, 1.0, 32, 1.6, 64, 2.8, 128, 5.5, 256, 11.0);

    DeepRecSchedPolicy policy = DeepRecSchedPolicy.builder(15).profileMs(profile).build();

    assertThat(policy.settings().batchSize()).isEqualTo(64);
  }

  /**
   * Before the load is known, the start is the size with the most capacity by the profile: RMC1's
   * pool curve on two cores (measured by deeprec bench) serves twice the items/s in requests of ~32
   * as in whole queries, whose capacity a high load would overrun from the first window.
   */
  @Test
  void startsFromTheSizeWithTheMostCapacity() {
    java.util.Map<Integer, Double> rmc1PoolCurve = java.util.Map.ofEntries(java.util.Map.entry(1, 0.30),
        java.util.Map.entry(2, 0.23), java.util.Map.entry(4, 0.35), java.util.Map.entry(8, 0.28),
        java.util.Map.entry(16, 0.35), java.util.Map.entry(32, 0.53), java.util.Map.entry(48, 0.97),
        java.util.Map.entry(64, 1.78), java.util.Map.entry(96, 2.86), java.util.Map.entry(128, 3.87),
        java.util.Map.entry(192, 5.58), java.util.Map.entry(256, 7.48), java.util.Map.entry(384, 11.61),
        java.util.Map.entry(512, 16.83), java.util.Map.entry(1024, 34.46));

    DeepRecSchedPolicy policy = DeepRecSchedPolicy.builder(100).profileMs(rmc1PoolCurve).workers(2).build();

    assertThat(policy.settings().batchSize()).isBetween(24, 48);
    assertThat(policy.capacityQps(policy.settings().batchSize())).isGreaterThan(1.5 * policy.capacityQps(1024));
  }

  /** With a profile and a worker count, the queueing estimate prefers splitting at low load and less of it at high load. */
  @Test
  void queueingEstimateSplitsLessAsTheLoadGrows() {
    java.util.Map<Integer, Double> profile = java.util.Map.of(1, 0.55, 16, 1.3, 64, 3.7, 256, 13.3, 1024, 51.7);
    DeepRecSchedPolicy policy = DeepRecSchedPolicy.builder(50).profileMs(profile).workers(4).build();

    double lowLoadSplit = policy.estimatedP95Ms(42, 50);
    double lowLoadWhole = policy.estimatedP95Ms(1024, 50);
    double highLoadSplit = policy.estimatedP95Ms(21, 400);
    double highLoadWhole = policy.estimatedP95Ms(1024, 400);

    assertThat(lowLoadSplit).isLessThan(lowLoadWhole);
    assertThat(highLoadWhole).isLessThan(highLoadSplit);
  }

  @Test
  void builderNamesABadSetting() {
    assertThatThrownBy(() -> DeepRecSchedPolicy.builder(0).build()).hasMessageContaining("target");
    assertThatThrownBy(() -> DeepRecSchedPolicy.builder(10).stableBand(1.5).build()).hasMessageContaining("stableBand");
    assertThatThrownBy(() -> DeepRecSchedPolicy.builder(10).batchCandidates(java.util.List.of(2048)).build())
        .hasMessageContaining("batchCandidates");
    assertThatThrownBy(() -> DeepRecSchedPolicy.builder(10).windowsPerStep(0).build()).hasMessageContaining("windowsPerStep");
  }

  /**
   * Past saturation every setting's p95 is a growing backlog (here: worst at the setting just left),
   * so the p95 cannot rank settings; the completion rate (each setting's capacity) does. Capacity
   * peaks at 32, while the p95 alone would lead to ever larger batches.
   */
  @Test
  void ranksSaturatedSettingsByCompletionRate() {
    DeepRecSchedPolicy policy = quickPolicy(100).initialBatchSize(84).build();
    ToDoubleFunction<BatchSettings> capacity = s -> 600 - 3 * Math.abs(s.batchSize() - 32);
    for (int i = 0; i < 300 && !policy.converged(); i++) {
      BatchSettings applied = policy.settings();
      double completed = capacity.applyAsDouble(applied);
      // A backlog beyond twice the target everywhere, lower at larger batches: misleading on its own.
      double p95 = 900 - applied.batchSize() / 2.0;
      policy.observe(new WindowObservation(i, 64, completed, p95 / 2, p95, p95, applied));
    }

    assertThat(policy.converged()).isTrue();
    // Within the stable band (10%) of the best capacity; the p95 ranking alone would have kept 84 or gone larger.
    assertThat(capacity.applyAsDouble(policy.settings())).isGreaterThanOrEqualTo(0.9 * 600);
    assertThat(policy.settings().batchSize()).isLessThan(48);
  }

  /** Settled once converged and past the transition out of the last explored setting; not while climbing. */
  @Test
  void isSettledOnlyAfterConvergingAndDraining() {
    DeepRecSchedPolicy policy = quickPolicy(50).build();
    feed(policy, 3, 100, valleyAt(84));
    assertThat(policy.converged()).isFalse();
    assertThat(policy.settled()).isFalse();

    feed(policy, 200, 100, valleyAt(84));

    assertThat(policy.converged()).isTrue();
    assertThat(policy.settled()).isTrue();
    assertThat(new FixedBatchPolicy(64, 0).settled()).isTrue();
  }

  /**
   * A seed on the slope of the wrong basin: from 96 the walk toward smaller batches improves (to a
   * local best at 48), yet whole queries are far better. The climb still tries the other side of
   * its start and ends there.
   */
  @Test
  void triesTheOtherSideOfItsStartAfterAnImprovingWalk() {
    DeepRecSchedPolicy policy = quickPolicy(100).initialBatchSize(96).build();
    ToDoubleFunction<BatchSettings> twoBasins = s -> s.batchSize() >= 256 ? 10
        : s.batchSize() > 96 ? 18 : 20 + 10 * Math.abs(Math.log(s.batchSize() / 48.0) / Math.log(2));

    feed(policy, 400, 100, twoBasins);

    assertThat(policy.converged()).isTrue();
    assertThat(policy.settings().batchSize()).isGreaterThanOrEqualTo(256);
  }

  /** A request costs a fixed 2 ms plus 0.05 ms per item: whole queries serve the most. */
  private static java.util.Map<Integer, Double> perRequestOverheadProfile() {
    return profile(COARSE_SIZES, b -> 2 + 0.05 * b);
  }

  private static final int[] COARSE_SIZES = {1, 4, 16, 64, 128, 256, 1024};
  private static final int[] POOL_CURVE_SIZES = {1, 2, 4, 8, 16, 32, 48, 64, 96, 128, 192, 256, 384, 512, 1024};

  /** A profile with the request latency (ms) {@code msAtBatch} at each of {@code sizes}. */
  private static java.util.Map<Integer, Double> profile(int[] sizes, java.util.function.IntToDoubleFunction msAtBatch) {
    java.util.Map<Integer, Double> profile = new java.util.TreeMap<>();
    for (int b : sizes) {
      profile.put(b, msAtBatch.applyAsDouble(b));
    }
    return profile;
  }

  /**
   * Where every setting gives the same p95 at the current load (within the band), the one with
   * the most capacity by the profile wins: here a request costs a fixed 2 ms plus 0.05 ms per item,
   * so whole queries serve the most, and the policy leaves its splitting start for them.
   */
  @Test
  void breaksALatencyTieTowardMoreCapacity() {
    java.util.Map<Integer, Double> perRequestOverhead = perRequestOverheadProfile();
    DeepRecSchedPolicy policy = quickPolicy(50).profileMs(perRequestOverhead).workers(2).initialBatchSize(42).build();

    feed(policy, 400, 50, s -> 10);

    assertThat(policy.converged()).isTrue();
    assertThat(policy.settings().batchSize()).isGreaterThanOrEqualTo(167);
    assertThat(policy.capacityQps(1024)).isGreaterThan(policy.capacityQps(42));
  }

  /** The same tie goes to small requests when the profile says they serve more (RMC2's cache-resident gathers). */
  @Test
  void breaksALatencyTieTowardSmallRequestsWhenTheyServeMore() {
    java.util.Map<Integer, Double> cacheBound = profile(COARSE_SIZES, b -> 0.1 * b * (1 + b / 64.0));
    DeepRecSchedPolicy policy = quickPolicy(500).profileMs(cacheBound).workers(2).initialBatchSize(128).build();

    feed(policy, 600, 20, s -> 100);

    assertThat(policy.converged()).isTrue();
    assertThat(policy.settings().batchSize()).isLessThanOrEqualTo(8);
  }

  /** A tie is only a tie: a setting with more capacity but a clearly worse p95 does not win. */
  @Test
  void capacityNeverOverridesAClearlyBetterLatency() {
    java.util.Map<Integer, Double> perRequestOverhead = perRequestOverheadProfile();
    DeepRecSchedPolicy policy = quickPolicy(50).profileMs(perRequestOverhead).workers(2).initialBatchSize(84).build();

    feed(policy, 400, 50, valleyAt(84));

    assertThat(policy.converged()).isTrue();
    assertThat(policy.settings().batchSize()).isEqualTo(84);
  }

  /**
   * Near its capacity the climb never steps on a setting the profile says cannot carry the load:
   * with RMC1-like costs at 900 queries/s only sizes of ~24-64 keep up, and measuring 4 or 8 there
   * would build a backlog the next steps are measured through.
   */
  @Test
  void skipsSettingsThatCannotCarryTheMeasuredLoad() {
    // 0.2 ms per request plus 0.01 ms per item, and a cache penalty above 48 items.
    java.util.Map<Integer, Double> curve = profile(POOL_CURVE_SIZES, b -> 0.2 + 0.01 * b + (b > 48 ? 0.02 * (b - 48) : 0));
    DeepRecSchedPolicy policy = quickPolicy(100).profileMs(curve).workers(2).build();
    double load = 0.8 * policy.capacityQps(32);
    java.util.Set<Integer> visited = new java.util.TreeSet<>();

    for (int i = 0; i < 400; i++) {
      BatchSettings applied = policy.settings();
      visited.add(applied.batchSize());
      policy.observe(new WindowObservation(i, 64, load, 10, 20, 24, applied));
    }

    assertThat(policy.converged()).isTrue();
    assertThat(visited).isNotEmpty().allSatisfy(b -> assertThat(policy.capacityQps(b)).as("capacity at batch %d", b)
        .isGreaterThanOrEqualTo(load / 0.9));
  }

  /**
   * Under a load beyond what the profile says any setting carries (a profile measured optimistic or
   * noisy), the climb still measures the settings with the most capacity instead of skipping them
   * all and staying on its seed.
   */
  @Test
  void stillMeasuresTheSettingsWithTheMostCapacityWhenNoneCarriesTheLoad() {
    // 0.2 ms per request plus 0.01 ms per item: whole queries have the most capacity.
    java.util.Map<Integer, Double> curve = profile(POOL_CURVE_SIZES, b -> 0.2 + 0.01 * b);
    DeepRecSchedPolicy policy = quickPolicy(100).profileMs(curve).workers(2).initialBatchSize(16).build();
    double load = 1.1 * policy.capacityQps(1024);
    // Measured: the more capacity, the lower the p95 (all miss the target: the load is too high).
    ToDoubleFunction<BatchSettings> backlog = s -> 100 + 100_000 / policy.capacityQps(s.batchSize());
    java.util.Set<Integer> visited = new java.util.TreeSet<>();

    for (int i = 0; i < 400; i++) {
      BatchSettings applied = policy.settings();
      visited.add(applied.batchSize());
      double p95 = backlog.applyAsDouble(applied);
      policy.observe(new WindowObservation(i, 64, load, p95 / 2, p95, p95 * 1.2, applied));
    }

    assertThat(policy.converged()).isTrue();
    assertThat(visited).anySatisfy(b -> assertThat(b).isGreaterThanOrEqualTo(167));
  }

  /**
   * On a plateau (every setting the same p95) the walk goes on only through rungs with as much
   * capacity as the best: with 1 ms per request, a third part costs capacity, and walking on
   * through ever finer splits would build a backlog near the LBT.
   */
  @Test
  void walksThroughTiesOnlyTowardAsMuchCapacity() {
    java.util.Map<Integer, Double> perRequest = profile(POOL_CURVE_SIZES, b -> 1 + 0.02 * b);
    DeepRecSchedPolicy policy = quickPolicy(100).profileMs(perRequest).workers(2).initialBatchSize(84).build();
    java.util.Set<Integer> visited = new java.util.TreeSet<>();

    for (int i = 0; i < 400; i++) {
      BatchSettings applied = policy.settings();
      visited.add(applied.batchSize());
      policy.observe(new WindowObservation(i, 64, 100, 10, 20, 24, applied));
    }

    assertThat(policy.converged()).isTrue();
    // 84 splits a typical 167-item query in two; 56 and below in three or more.
    assertThat(visited).as("rungs measured").contains(84).allSatisfy(b -> assertThat(b).isGreaterThanOrEqualTo(56));
  }

  /**
   * An uneven split between two better sizes does not end the walk: wnd's 128 cuts a 167-item
   * query into 128 + 39 and measured worse than both 96 (an even split) and whole queries, and
   * the climb stopped at 96 without measuring whole queries.
   */
  @Test
  void looksPastAnUnevenSplitTowardMoreCapacity() {
    java.util.Map<Integer, Double> perRequest = profile(POOL_CURVE_SIZES, b -> 1 + 0.02 * b);
    DeepRecSchedPolicy policy = quickPolicy(100).profileMs(perRequest).workers(2).initialBatchSize(84).build();
    // Even splits 20 ms, uneven ones (between 97 and 166) 40 ms, whole queries 10 ms.
    ToDoubleFunction<BatchSettings> notConvex = s -> s.batchSize() >= 167 ? 10 : s.batchSize() > 96 ? 40 : 20;

    feed(policy, 400, 100, notConvex);

    assertThat(policy.converged()).isTrue();
    assertThat(policy.settings().batchSize()).isGreaterThanOrEqualTo(167);
  }

  /**
   * When neither the p95 nor the profile tells two settings apart (latency proportional to the
   * batch: equal capacity), the tie goes to the larger batch, i.e. fewer requests per query.
   */
  @Test
  void breaksAFullTieTowardFewerRequests() {
    java.util.Map<Integer, Double> proportional = profile(COARSE_SIZES, b -> 0.05 * b);
    DeepRecSchedPolicy policy = quickPolicy(100).profileMs(proportional).workers(2).initialBatchSize(84).build();

    feed(policy, 600, 20, s -> 30);

    assertThat(policy.converged()).isTrue();
    assertThat(policy.settings().batchSize()).isGreaterThanOrEqualTo(167);
  }

  /**
   * A target so tight that no size serves a typical query within the seed's share of it still
   * starts from the size with the most capacity, not from the smallest batch (the least capacity).
   */
  @Test
  void startsFromTheMostCapacityWhenNoSizeIsFastEnough() {
    java.util.Map<Integer, Double> perRequestOverhead = perRequestOverheadProfile();
    DeepRecSchedPolicy policy = DeepRecSchedPolicy.builder(0.5).profileMs(perRequestOverhead).workers(2).build();

    int start = policy.settings().batchSize();

    assertThat(start).isGreaterThanOrEqualTo(167);
    assertThat(policy.capacityQps(start)).isGreaterThan(policy.capacityQps(4));
  }

  /**
   * What a typical 167-item query really costs the workers (ms) split at {@code s}: 2 ms per
   * request (hand-off, tensor set-up: costs a profile of bare model calls leaves out) plus 0.04 ms
   * per item.
   */
  private static double workWithRequestOverhead(BatchSettings s) {
    return QuerySplitter.requestCount(167, s.batchSize()) * 2 + 0.04 * 167;
  }

  /**
   * A profile of model calls alone that favours small requests (cache-resident gathers): 7% more
   * capacity for a typical query split in two than whole (220 against 206 queries/s on 2 workers).
   */
  private static java.util.Map<Integer, Double> smallRequestsLookCheaperProfile() {
    return profile(POOL_CURVE_SIZES, b -> 0.05 * b * (1 + b / 1024.0));
  }

  /** Feeds windows of {@code qps} with the p95 of {@code landscape} and, unless null, the workers' time per query of {@code work}. */
  private static void feedMeasured(DeepRecSchedPolicy policy, int windows, double qps, ToDoubleFunction<BatchSettings> landscape,
      ToDoubleFunction<BatchSettings> work) {
    for (int i = 0; i < windows; i++) {
      BatchSettings applied = policy.settings();
      double p95 = landscape.applyAsDouble(applied);
      double workMs = work == null ? Double.NaN : work.applyAsDouble(applied);
      policy.observe(new WindowObservation(i, 64, qps, p95 / 2, p95, p95 * 1.2, applied, workMs));
    }
  }

  /**
   * A p95 tie goes to the setting with more measured capacity when the windows carry the workers'
   * time per query, even where the profile says otherwise: rmc3 split in two measured 10-20% less
   * LBT than whole queries that its profile rated the same. Without the measurement the profile
   * decides, and the same landscape ends split.
   */
  @Test
  void breaksATieByMeasuredCapacityOverTheProfile() {
    DeepRecSchedPolicy measured = quickPolicy(100).profileMs(smallRequestsLookCheaperProfile()).workers(2)
        .initialBatchSize(84).build();
    DeepRecSchedPolicy profiled = quickPolicy(100).profileMs(smallRequestsLookCheaperProfile()).workers(2)
        .initialBatchSize(84).build();

    feedMeasured(measured, 600, 50, s -> 20, DeepRecSchedPolicyTest::workWithRequestOverhead);
    feedMeasured(profiled, 600, 50, s -> 20, null);

    assertThat(measured.converged()).isTrue();
    assertThat(measured.settings().batchSize()).isGreaterThanOrEqualTo(167);
    assertThat(profiled.converged()).isTrue();
    assertThat(profiled.settings().batchSize()).isLessThan(167);
  }

  /**
   * Near saturation (here 150 queries/s against a measured 230 for whole queries, 187 split in two
   * and 158 in three) the
   * setting with clearly more measured capacity wins even when its p95 reads worse: there the p95
   * of a few windows carries the backlog of the step before and is set by the utilisation, and the
   * LBT by the capacity. At a light load the same p95s decide for the split.
   */
  @Test
  void nearSaturationMeasuredCapacityDecides() {
    ToDoubleFunction<BatchSettings> splitsReadFaster = s -> s.batchSize() >= 167 ? 40 : 20;
    DeepRecSchedPolicy heavy = quickPolicy(100).profileMs(smallRequestsLookCheaperProfile()).workers(2)
        .initialBatchSize(84).build();
    DeepRecSchedPolicy light = quickPolicy(100).profileMs(smallRequestsLookCheaperProfile()).workers(2)
        .initialBatchSize(84).build();

    feedMeasured(heavy, 600, 150, splitsReadFaster, DeepRecSchedPolicyTest::workWithRequestOverhead);
    feedMeasured(light, 600, 50, splitsReadFaster, DeepRecSchedPolicyTest::workWithRequestOverhead);

    assertThat(heavy.converged()).isTrue();
    assertThat(heavy.settings().batchSize()).isGreaterThanOrEqualTo(167);
    assertThat(light.converged()).isTrue();
    assertThat(light.settings().batchSize()).isLessThan(167);
  }

  /**
   * The queueing seed takes each size's work per query as measured by earlier steps: the profile
   * rates a typical query split in two as cheaper than whole (so, at 170 queries/s, the better
   * start), the measurement (2 ms per request on top) the other way round.
   */
  @Test
  void seedsFromMeasuredWorkOnceMeasured() {
    DeepRecSchedPolicy policy = quickPolicy(100).profileMs(smallRequestsLookCheaperProfile()).workers(2)
        .initialBatchSize(84).build();
    assertThat(policy.estimatedP95Ms(84, 170)).as("by the profile").isLessThan(policy.estimatedP95Ms(1024, 170));

    feedMeasured(policy, 600, 50, s -> 20, DeepRecSchedPolicyTest::workWithRequestOverhead);

    assertThat(policy.estimatedP95Ms(84, 170)).as("with measured work").isGreaterThan(policy.estimatedP95Ms(1024, 170));
  }

  /**
   * A choice made while every setting missed the target (each step measured through the backlog of
   * the one before) is explored once more when the load that settles after it still misses and
   * another size was measured with clearly more capacity: here whole queries (2 ms less work per
   * query than split in two) meet the target at that load, and the second climb finds them. When
   * nothing meets it there either (an overload), that second climb is the only one; when no size
   * was measured with more capacity, there is none.
   */
  @Test
  void revisitsAChoiceMadeWhileMissingOnceAtTheSettledLoad() {
    ToDoubleFunction<BatchSettings> wholeQueriesMeet = s -> s.batchSize() >= 167 ? 60 : 130;
    ToDoubleFunction<BatchSettings> sameWork = s -> 10;
    DeepRecSchedPolicy recovers = convergedThroughABacklog(DeepRecSchedPolicyTest::workWithRequestOverhead);
    DeepRecSchedPolicy overloaded = convergedThroughABacklog(DeepRecSchedPolicyTest::workWithRequestOverhead);
    DeepRecSchedPolicy sameCapacity = convergedThroughABacklog(sameWork);
    int heldThroughTheBacklog = recovers.settings().batchSize();
    assertThat(heldThroughTheBacklog).isLessThan(167);
    int heldAtTheSameCapacity = sameCapacity.settings().batchSize();

    feedMeasured(recovers, 600, 120, wholeQueriesMeet, DeepRecSchedPolicyTest::workWithRequestOverhead);
    feedMeasured(overloaded, 600, 120, s -> 300, DeepRecSchedPolicyTest::workWithRequestOverhead);
    feedMeasured(sameCapacity, 600, 120, wholeQueriesMeet, sameWork);

    assertThat(recovers.converged()).isTrue();
    assertThat(recovers.settings().batchSize()).isGreaterThanOrEqualTo(167);
    assertThat(recovers.explorations()).isEqualTo(2);
    assertThat(overloaded.converged()).isTrue();
    assertThat(overloaded.explorations()).as("one revisit, not one per watch span").isEqualTo(2);
    assertThat(sameCapacity.explorations()).isEqualTo(1);
    assertThat(sameCapacity.settings().batchSize()).isEqualTo(heldAtTheSameCapacity);
  }

  /**
   * A miss at the load a choice was made at is not explored when that load is near the choice's
   * measured capacity (180 of 230 queries/s for whole queries) and no size was measured with more:
   * each step would have less capacity than the choice. Under a light load (50 queries/s) the same
   * miss is explored, toward larger batches first.
   */
  @Test
  void holdsAChoiceThroughAMissNearItsCapacityWhenNothingHasMore() {
    DeepRecSchedPolicy nearCapacity = convergedMeetingAt(180);
    DeepRecSchedPolicy light = convergedMeetingAt(50);
    int held = nearCapacity.settings().batchSize();

    feedMeasured(nearCapacity, 20, 180, s -> 130, DeepRecSchedPolicyTest::workWithRequestOverhead);
    feedMeasured(light, 20, 50, s -> 130, DeepRecSchedPolicyTest::workWithRequestOverhead);

    assertThat(nearCapacity.explorations()).isEqualTo(1);
    assertThat(nearCapacity.settings().batchSize()).isEqualTo(held);
    assertThat(light.explorations()).isEqualTo(2);
  }

  /** A policy converged on whole queries (the most measured capacity) at {@code qps} with a flat 60 ms p95. */
  private static DeepRecSchedPolicy convergedMeetingAt(double qps) {
    DeepRecSchedPolicy policy = quickPolicy(100).profileMs(smallRequestsLookCheaperProfile()).workers(2)
        .initialBatchSize(84).build();
    feedMeasured(policy, 600, qps, s -> 60, DeepRecSchedPolicyTest::workWithRequestOverhead);
    assertThat(policy.converged()).isTrue();
    assertThat(policy.explorations()).isEqualTo(1);
    assertThat(policy.settings().batchSize()).isGreaterThanOrEqualTo(167);
    return policy;
  }

  /**
   * A policy that climbed at 120 queries/s while every setting measured 300 ms (a backlog) with
   * the workers' time per query of {@code work}, converged on its 84-item start.
   */
  private static DeepRecSchedPolicy convergedThroughABacklog(ToDoubleFunction<BatchSettings> work) {
    DeepRecSchedPolicy policy = quickPolicy(100).profileMs(smallRequestsLookCheaperProfile()).workers(2)
        .initialBatchSize(84).build();
    for (int i = 0; i < 600 && !policy.converged(); i++) {
      feedMeasured(policy, 1, 120, s -> 300, work);
    }
    assertThat(policy.converged()).isTrue();
    assertThat(policy.explorations()).isEqualTo(1);
    return policy;
  }

  /**
   * Input: a policy configured for 2 workers (the submitting JVM's guess), then a window saying 8
   * workers served it. Output: its capacity estimates count 8 workers: 4x the configured ones.
   */
  @Test
  void capacityCountsTheWorkersTheWindowsReport() {
    java.util.Map<Integer, Double> profile = java.util.Map.of(1, 0.55, 16, 1.3, 64, 3.7, 256, 13.3, 1024, 51.7);
    DeepRecSchedPolicy policy = DeepRecSchedPolicy.builder(100).profileMs(profile).workers(2).build();
    double configured = policy.capacityQps(64);

    policy.observe(new WindowObservation(1_000, 100, 100, 10, 20, 30, policy.settings(), Double.NaN, 8));

    assertThat(policy.workers()).isEqualTo(8);
    assertThat(policy.capacityQps(64)).isCloseTo(4 * configured, org.assertj.core.data.Percentage.withPercentage(0.1));
  }
}

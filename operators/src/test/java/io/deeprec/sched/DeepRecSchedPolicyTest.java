package io.deeprec.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * DeepRecSched on noiseless synthetic landscapes (p95 and workers' time per query as functions of the
 * settings), fed one window at a time with the settings the policy asked for. The simulator tests
 * (sim.DeepRecSchedConvergenceTest) cover noisy queueing.
 */
class DeepRecSchedPolicyTest {

  private static final int WORKERS = 4;
  /** Short steps: these landscapes have no noise. */
  private static final SchedParameters QUICK = SchedParameters.DEFAULTS.withWindowsPerStep(2).withWatchWindows(4);

  /** What a setting measures: its p95 (ms) and the workers' time per query (ms), at the load fed. */
  private record Landscape(ToDoubleFunction<BatchSettings> p95Ms, ToDoubleFunction<BatchSettings> workMs) {}

  /**
   * Work of a typical (167-item) query grows with each split (a per-request cost of 2 ms); the p95, set by the
   * largest queries (230 items), shrinks with their largest piece.
   */
  private static final Landscape LATENCY_BOUND = new Landscape(
      s -> 4 + 0.2 * Math.min(s.batchSize(), 230),
      s -> 0.1 * 167 + 2 * QuerySplitter.requestCount(167, s.batchSize()));

  /** The same with 8 ms of queueing on every p95. */
  private static final Landscape SLOWER = new Landscape(s -> LATENCY_BOUND.p95Ms().applyAsDouble(s) + 8, LATENCY_BOUND.workMs());

  private static DeepRecSchedPolicy policy(double targetMs) {
    return new DeepRecSchedPolicy(targetMs, QUICK, WORKERS, false, Map.of(), 0);
  }

  /**
   * Feeds {@code windows} windows at {@code qps} of queries of 167 items on average, 300 at most (so sizes from
   * 300 up split nothing); returns the settings measured, in order (repeats collapsed).
   */
  private static List<BatchSettings> feed(DeepRecSchedPolicy policy, int windows, double qps, Landscape landscape) {
    List<BatchSettings> visited = new ArrayList<>();
    for (int i = 0; i < windows; i++) {
      policy.observeQuerySizes(167, 300);
      BatchSettings applied = policy.settings();
      if (visited.isEmpty() || !visited.get(visited.size() - 1).equals(applied)) {
        visited.add(applied);
      }
      double p95 = landscape.p95Ms().applyAsDouble(applied);
      policy.observe(new WindowObservation(i * 1_000L, Math.round(qps), qps, p95 / 2, p95, p95 * 1.2, applied,
          landscape.workMs().applyAsDouble(applied), WORKERS));
    }
    return visited;
  }

  private static List<Integer> batchSizes(List<BatchSettings> settings) {
    return settings.stream().map(BatchSettings::batchSize).toList();
  }

  /** Windows until the policy first moves off its start, fed at {@code qps} (one-second windows). */
  private static int windowsOfTheFirstStep(SchedParameters parameters, double qps) {
    DeepRecSchedPolicy policy = new DeepRecSchedPolicy(22, parameters, WORKERS, false, Map.of(), 0);
    BatchSettings start = policy.settings();
    for (int windows = 1; windows <= 1_000; windows++) {
      feed(policy, 1, qps, LATENCY_BOUND);
      if (!policy.settings().equals(start)) {
        return windows;
      }
    }
    throw new AssertionError("the policy never left its start");
  }

  @Test
  void aStepRunsOnPastItsWindowsUntilTheyHoldTheMinimumOfQueries() {
    SchedParameters fewQueries = QUICK.withMinStepQueries(400);

    assertThat(windowsOfTheFirstStep(QUICK, 20)).as("windows alone").isEqualTo(2);
    assertThat(windowsOfTheFirstStep(fewQueries, 300)).as("two windows hold 600 queries").isEqualTo(2);
    assertThat(windowsOfTheFirstStep(fewQueries, 20)).as("20 windows hold 400 queries").isEqualTo(20);
  }

  @Test
  void choosesTheLargestBatchThatMeetsTheTargetWhenSplittingCostsCapacity() {
    DeepRecSchedPolicy policy = policy(22);
    assertThat(policy.settings().batchSize()).as("no profile: whole queries first").isEqualTo(1024);

    feed(policy, 200, 50, LATENCY_BOUND);

    assertThat(policy.converged()).isTrue();
    // 4 + 0.2 * 64 = 16.8 ms meets 22 ms; 96 (23.2 ms) does not; 48 meets with a fourth request's cost.
    assertThat(policy.settings().batchSize()).isEqualTo(64);
  }

  @Test
  void keepsTypicalQueriesWholeWhenEveryBatchMeetsTheTarget() {
    DeepRecSchedPolicy policy = policy(100);

    List<BatchSettings> visited = feed(policy, 200, 50, LATENCY_BOUND);

    // 192 splits only the largest queries: as much capacity as whole queries, and a lower p95.
    assertThat(policy.settings().batchSize()).isEqualTo(192);
    assertThat(batchSizes(visited)).as("stops at the first split that costs capacity").allSatisfy(b -> assertThat(b).isGreaterThanOrEqualTo(128));
  }

  @Test
  void walksThroughAPlateauOfSizesThatSplitOnlyRareQueries() {
    // 256 splits only the few queries above it: it measures as whole queries do.
    DeepRecSchedPolicy policy = policy(22);
    List<BatchSettings> visited = feed(policy, 200, 50, LATENCY_BOUND);
    // 256 ties 1024 and is walked through; 192 beats 1024, which is measured again to confirm it.
    assertThat(batchSizes(visited)).startsWith(1024, 256, 192, 1024, 128);
    assertThat(policy.settings().batchSize()).isEqualTo(64);

    DeepRecSchedPolicy impatient = new DeepRecSchedPolicy(22, QUICK.withPlateauSteps(0), WORKERS, false, Map.of(), 0);
    feed(impatient, 200, 50, LATENCY_BOUND);
    assertThat(impatient.settings().batchSize()).as("stops on the plateau").isEqualTo(1024);
  }

  @Test
  void underOverloadChoosesTheMostCapacity() {
    // Saturated everywhere (completed load = capacity); an embedding-bound model serves the most in 32-item requests.
    ToDoubleFunction<BatchSettings> work = s -> 10 + Math.abs(Math.log(s.batchSize() / 32.0));
    Landscape overloaded = new Landscape(s -> 500, work);
    DeepRecSchedPolicy policy = policy(50);
    List<BatchSettings> visited = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      BatchSettings applied = policy.settings();
      visited.add(applied);
      double capacity = WORKERS * 1000.0 / work.applyAsDouble(applied);
      policy.observe(new WindowObservation(i * 1_000L, Math.round(capacity), capacity, 250, 500, 600, applied,
          work.applyAsDouble(applied), WORKERS));
    }

    assertThat(policy.converged()).isTrue();
    assertThat(work.applyAsDouble(policy.settings())).as("within the capacity margin of the most (32 items)")
        .isLessThanOrEqualTo(10 * (1 + SchedParameters.DEFAULTS.capacityMargin()));
  }

  @Test
  void withSteadyStartStepsMeasuresTheStartAgainUntilItsCapacityHoldsStill() {
    // A cold start: every setting's work falls by a tenth per window for the first six windows.
    int[] window = {0};
    Landscape warming = new Landscape(LATENCY_BOUND.p95Ms(),
        s -> LATENCY_BOUND.workMs().applyAsDouble(s) * (1 + 0.1 * Math.max(0, 6 - window[0]++)));
    DeepRecSchedPolicy policy = new DeepRecSchedPolicy(22, QUICK.withSteadyStartSteps(4), WORKERS, false, Map.of(), 0);

    List<BatchSettings> visited = feed(policy, 8, 50, warming);

    assertThat(batchSizes(visited)).as("the start measured again while its capacity moved").containsExactly(1024);
    assertThat(policy.reason()).contains("measured again: capacity moved from");
    feed(policy, 200, 50, LATENCY_BOUND);
    assertThat(policy.settings().batchSize()).isEqualTo(64);
  }

  @Test
  void withConfirmWinsMeasuresTheBestAgainBesideEachWinAndReachesTheSameChoice() {
    DeepRecSchedPolicy unconfirmed = new DeepRecSchedPolicy(22, QUICK.withConfirmWins(false), WORKERS, false, Map.of(), 0);
    List<Integer> oneAfterTheOther = batchSizes(feed(unconfirmed, 200, 50, LATENCY_BOUND));
    DeepRecSchedPolicy policy = policy(22);

    List<Integer> sideBySide = batchSizes(feed(policy, 200, 50, LATENCY_BOUND));

    int start = oneAfterTheOther.get(0);
    assertThat(oneAfterTheOther).as("without confirmation the start is measured once").containsOnlyOnce(start);
    assertThat(sideBySide.stream().filter(size -> size == start).count()).as("the start measured again beside a win")
        .isEqualTo(2);
    assertThat(sideBySide.get(sideBySide.size() - 1)).isEqualTo(64);
    assertThat(policy.settings().batchSize()).isEqualTo(64);
  }

  @Test
  void holdsItsChoiceUnderStationaryLoad() {
    DeepRecSchedPolicy policy = policy(22);
    feed(policy, 200, 50, LATENCY_BOUND);
    BatchSettings chosen = policy.settings();

    for (int i = 0; i < 500; i++) {
      double jitter = i % 2 == 0 ? 1.05 : 0.95;
      double p95 = LATENCY_BOUND.p95Ms().applyAsDouble(chosen) * jitter;
      assertThat(policy.observe(new WindowObservation(i, 50, 50 * jitter, p95, p95, p95, chosen, 20, WORKERS))).isEqualTo(chosen);
    }
    assertThat(policy.explorations()).isEqualTo(1);
  }

  @Test
  void exploresAgainWhenTheLoadMoves() {
    DeepRecSchedPolicy policy = policy(22);
    feed(policy, 200, 50, LATENCY_BOUND);
    assertThat(policy.settings().batchSize()).isEqualTo(64);

    // At twice the load, queueing adds 8 ms to every p95: only 48 (13.6 + 8 ms) and smaller meet 22 ms.
    feed(policy, 200, 100, SLOWER);

    assertThat(policy.explorations()).isEqualTo(2);
    assertThat(policy.converged()).isTrue();
    assertThat(policy.settings().batchSize()).isEqualTo(48);
    assertThat(policy.reason()).contains("hold batch 48");
  }

  @Test
  void exploresAgainWhenAChoiceThatMetTheTargetMissesItForAWatchSpan() {
    DeepRecSchedPolicy policy = policy(22);
    feed(policy, 200, 50, LATENCY_BOUND);
    int explorations = policy.explorations();

    feed(policy, 3, 50, SLOWER);
    assertThat(policy.explorations()).as("a short miss is not a reason").isEqualTo(explorations);

    feed(policy, 200, 50, SLOWER);
    assertThat(policy.explorations()).isEqualTo(explorations + 1);
    assertThat(policy.settings().batchSize()).isEqualTo(48);
  }

  @Test
  void aChoiceThatNeverMetTheTargetIsExploredAgainOnlyWhenTheLoadMoves() {
    DeepRecSchedPolicy policy = policy(3);
    feed(policy, 300, 50, LATENCY_BOUND);
    assertThat(policy.converged()).isTrue();
    int explorations = policy.explorations();

    feed(policy, 300, 50, LATENCY_BOUND);
    assertThat(policy.explorations()).isEqualTo(explorations);

    feed(policy, 300, 25, LATENCY_BOUND);
    assertThat(policy.explorations()).isGreaterThan(explorations);
  }

  @Test
  void aMissThatFindsTheSameChoiceAgainIsTheEdgeOfTheLbtNotAReasonToExploreForever() {
    DeepRecSchedPolicy policy = policy(22);
    feed(policy, 200, 50, LATENCY_BOUND);
    BatchSettings chosen = policy.settings();
    // Only the choice itself now misses (a queue built at it), nothing else measures better.
    Landscape edge = new Landscape(s -> s.equals(chosen) ? 23 : 40, LATENCY_BOUND.workMs());

    feed(policy, 400, 50, edge);

    assertThat(policy.explorations()).isEqualTo(2);
    assertThat(policy.settings()).isEqualTo(chosen);
  }

  @Test
  void thenClimbsTheOffloadThresholdWithAnAccelerator() {
    DeepRecSchedPolicy policy = new DeepRecSchedPolicy(22, QUICK, WORKERS, true, Map.of(), 0);
    // Offloading queries of 192 items or more relieves the CPU; offloading from 128 on queues them on the accelerator.
    Landscape offloading = new Landscape(
        s -> LATENCY_BOUND.p95Ms().applyAsDouble(s) + (s.offloadThreshold() > 0 && s.offloadThreshold() <= 128 ? 30 : 0),
        s -> LATENCY_BOUND.workMs().applyAsDouble(s) * (s.offloadThreshold() == 0 ? 1.0 : 0.4 + s.offloadThreshold() / 1024.0));

    feed(policy, 400, 50, offloading);

    assertThat(policy.converged()).isTrue();
    assertThat(policy.settings()).isEqualTo(new BatchSettings(64, 0, 192));
  }

  @Test
  void neverOffloadsWithoutAnAccelerator() {
    DeepRecSchedPolicy policy = policy(22);
    feed(policy, 400, 50, LATENCY_BOUND);
    assertThat(policy.settings().offloadThreshold()).isZero();
  }

  @Test
  void learnsNothingFromWindowsServedUnderOtherSettings() {
    DeepRecSchedPolicy policy = policy(22);
    BatchSettings other = new BatchSettings(64, 0, 0);
    for (int i = 0; i < 50; i++) {
      policy.observe(new WindowObservation(i, 50, 50, 5, 500, 600, other, 100, WORKERS));
    }
    assertThat(policy.settings().batchSize()).isEqualTo(1024);
    assertThat(policy.reason()).isEqualTo("seeded");
  }

  @Test
  void doesNotMeasureRungsWithClearlyLessCapacityThanABestThatMeetsTheTarget() {
    DeepRecSchedPolicy policy = policy(22);
    feed(policy, 200, 50, LATENCY_BOUND);
    // The load moves but every setting still measures the same: the second climb knows every rung's work.
    List<BatchSettings> visited = feed(policy, 200, 75, LATENCY_BOUND);

    assertThat(policy.explorations()).isEqualTo(2);
    assertThat(batchSizes(visited)).as("48 was measured with a fourth request").doesNotContain(48).contains(32);
    assertThat(policy.settings().batchSize()).isEqualTo(64);
  }

  @Test
  void withLosersEndingTheDirectionDoesNotWalkPastARungThatCannotWin() {
    DeepRecSchedPolicy policy = new DeepRecSchedPolicy(22, QUICK.withLosersEndDirection(true), WORKERS, false,
        Map.of(), 0);
    feed(policy, 200, 50, LATENCY_BOUND);
    List<BatchSettings> visited = feed(policy, 200, 75, LATENCY_BOUND);

    assertThat(policy.explorations()).isEqualTo(2);
    assertThat(batchSizes(visited)).as("48 cannot win, and 32 lies past it").containsExactly(64, 96, 64);
    assertThat(policy.settings().batchSize()).isEqualTo(64);
  }

  @Test
  void seedsTheMostProfiledCapacityThatServesATypicalQueryWithinTheSeedLatency() {
    // 1 ms per request + 0.1 ms per item: whole queries (about 17.5 ms) have the most capacity but take more
    // than half of a 30 ms target; a split fits within it.
    Map<Integer, Double> profile = Map.of(1, 1.1, 16, 2.6, 64, 7.4, 256, 26.6, 1024, 103.4);
    DeepRecSchedPolicy policy = new DeepRecSchedPolicy(30, QUICK, WORKERS, false, profile, 0);
    assertThat(policy.settings().batchSize()).isLessThan(167).isGreaterThanOrEqualTo(96);

    DeepRecSchedPolicy relaxed = new DeepRecSchedPolicy(100, QUICK, WORKERS, false, profile, 0);
    assertThat(relaxed.settings().batchSize()).isGreaterThanOrEqualTo(167);
  }

  @Test
  void takesTheWorkerCountTheWindowsReport() {
    DeepRecSchedPolicy policy = new DeepRecSchedPolicy(100, QUICK, 2, false, Map.of(), 0);
    policy.observe(new WindowObservation(1_000, 100, 100, 10, 20, 30, policy.settings(), 5, 8));
    assertThat(policy.workers()).isEqualTo(8);
  }

  @Test
  void isSettledOnlyWhenHoldingAndPastTheTransition() {
    DeepRecSchedPolicy policy = policy(22);
    assertThat(policy.settled()).isFalse();
    feed(policy, 200, 50, LATENCY_BOUND);
    assertThat(policy.settled()).isTrue();
  }

  @Test
  void survivesSerializationMidClimb() throws Exception {
    DeepRecSchedPolicy policy = policy(22);
    feed(policy, 7, 50, LATENCY_BOUND);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(policy);
    }
    DeepRecSchedPolicy restored;
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      restored = (DeepRecSchedPolicy) in.readObject();
    }
    assertThat(restored.settings()).isEqualTo(policy.settings());

    feed(restored, 200, 50, LATENCY_BOUND);
    assertThat(restored.settings().batchSize()).isEqualTo(64);
  }

  @Test
  void refusesABadParameterNamingIt() {
    assertThatThrownBy(() -> DeepRecSchedPolicy.withDefaults(0)).hasMessageContaining("target");
    assertThatThrownBy(() -> SchedParameters.DEFAULTS.withCapacityMargin(1.5)).hasMessageContaining("capacityMargin");
    assertThatThrownBy(() -> SchedParameters.DEFAULTS.withBatchCandidates(List.of(2048))).hasMessageContaining("batchCandidates");
    assertThatThrownBy(() -> SchedParameters.DEFAULTS.withWindowsPerStep(0)).hasMessageContaining("windowsPerStep");
    assertThatThrownBy(() -> SchedParameters.DEFAULTS.withP95Band(-0.1)).hasMessageContaining("p95Band");
  }
}

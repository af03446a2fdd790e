package io.deeprec.sched.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.deeprec.sched.FixedBatchPolicy;
import org.junit.jupiter.api.Test;

/** A session: one run through the probes of a search, as the product's benchmark keeps one job through them. */
class ServingSimulatorSessionTest {
  private static final double TARGET_MS = 100;
  /** Two workers, 5 ms per request plus 0.01 ms per item: a whole query of 167 items takes about 6.7 ms. */
  private static final ServingSimulator SIMULATOR = ServingSimulator.builder().workers(2)
      .cpuService(ServiceTimeModel.linear(5.0, 0.01)).rateQps(1).serviceNoiseSigma(0.2).seed(3).build();

  @Test
  void probesFollowOneAnotherInOneRun() {
    ServingSimulator.Session session = SIMULATOR.session(new FixedBatchPolicy(1024, 0), ServingSimulator.ProbePlan.PRODUCT);

    ServingSimulator.Probe first = session.probe(100, TARGET_MS);
    ServingSimulator.Probe second = session.probe(150, TARGET_MS);

    // A fixed size warms up 5 s, measures 15 s and drains: each probe takes at least 20 s of the run's clock.
    assertThat(first.endMs()).isGreaterThanOrEqualTo(20_000);
    assertThat(second.endMs()).isGreaterThanOrEqualTo(first.endMs() + 20_000);
    assertThat(first.feasible()).isTrue();
    assertThat(second.feasible()).isTrue();
    assertThat(second.askedQps()).isEqualTo(150);
  }

  @Test
  void anOverloadMissesAndItsBacklogIsDrainedBeforeTheNextProbe() {
    ServingSimulator.Session session = SIMULATOR.session(new FixedBatchPolicy(1024, 0), ServingSimulator.ProbePlan.PRODUCT);

    // About 300 queries/s saturate the two workers (6.7 ms a query each): 600 cannot be served.
    ServingSimulator.Probe overloaded = session.probe(600, TARGET_MS);
    ServingSimulator.Probe after = session.probe(100, TARGET_MS);

    assertThat(overloaded.feasible()).isFalse();
    assertThat(overloaded.p95Ms()).isGreaterThan(TARGET_MS);
    assertThat(after.feasible()).isTrue();
    assertThat(after.p95Ms()).isLessThan(TARGET_MS);
  }

  @Test
  void theProductsSearchThroughOneRunFindsAFixedSizesCapacity() {
    ServingSimulator.Session session = SIMULATOR.session(new FixedBatchPolicy(1024, 0), ServingSimulator.ProbePlan.PRODUCT);

    LbtSearch.Result<ServingSimulator.Probe> found = new LbtSearch(1.25, 0.04, 1, 2).search(100,
        qps -> session.probe(qps, TARGET_MS));
    double steadyState = LatencyBoundedThroughput.search(SIMULATOR, () -> new FixedBatchPolicy(1024, 0), TARGET_MS, 100,
        0.01).lbtQps();

    assertThat(found.lbtQps()).isBetween(0.85 * steadyState, 1.1 * steadyState);
  }

  @Test
  void aWarmupGoesOnWhileTheBacklogOfTheProbeBeforeDrains() {
    ServingSimulator.ProbePlan noWait = ServingSimulator.ProbePlan.PRODUCT.withWarmup(5_000, 0);
    ServingSimulator.Session waiting = SIMULATOR.session(new FixedBatchPolicy(1024, 0), ServingSimulator.ProbePlan.PRODUCT);
    ServingSimulator.Session notWaiting = SIMULATOR.session(new FixedBatchPolicy(1024, 0), noWait);

    // Four times the capacity (about 300 queries/s) for 20 s leaves a backlog that its 60 s drain does not clear;
    // the next probe, at half the capacity, drains it within seconds.
    ServingSimulator.Probe overloadedWaiting = waiting.probe(1_200, TARGET_MS);
    ServingSimulator.Probe afterWaiting = waiting.probe(150, TARGET_MS);
    ServingSimulator.Probe overloadedNotWaiting = notWaiting.probe(1_200, TARGET_MS);
    ServingSimulator.Probe afterNotWaiting = notWaiting.probe(150, TARGET_MS);

    assertThat(overloadedWaiting.feasible()).isFalse();
    assertThat(overloadedNotWaiting.feasible()).isFalse();
    assertThat(afterNotWaiting.warmupMs()).isEqualTo(5_000);
    assertThat(afterWaiting.warmupMs()).isGreaterThan(5_000).isLessThanOrEqualTo(35_000);
    assertThat(afterWaiting.p95Ms()).isLessThan(afterNotWaiting.p95Ms());
  }

  @Test
  void aBacklogThatGrowsEndsTheWarmupAtItsShortest() {
    ServingSimulator.Warmup warmup = ServingSimulator.ProbePlan.PRODUCT.warmup(false, false, 100, TARGET_MS);

    // 100 queries/s within 100 ms keep 10 in flight: 50 is a backlog, and one that grows is the rate's own.
    assertThat(warmup.over(5_000, true, 50)).isFalse();
    assertThat(warmup.over(6_000, true, 80)).isTrue();
  }

  @Test
  void aShrinkingBacklogIsWaitedForAtMostTheDrainLimit() {
    ServingSimulator.Warmup warmup = ServingSimulator.ProbePlan.PRODUCT.withWarmup(5_000, 3_000)
        .warmup(false, false, 100, TARGET_MS);

    assertThat(warmup.over(5_000, true, 200)).isFalse();
    assertThat(warmup.over(6_000, true, 150)).isFalse();
    assertThat(warmup.over(7_000, true, 100)).isFalse();
    assertThat(warmup.over(8_000, true, 60)).isTrue();
  }

  @Test
  void aBacklogWithinWhatTheRateKeepsInFlightEndsTheWarmup() {
    ServingSimulator.Warmup warmup = ServingSimulator.ProbePlan.PRODUCT.warmup(false, false, 100, TARGET_MS);

    assertThat(warmup.over(5_000, true, 10)).isTrue();
  }

  @Test
  void aPolicyThatSettlesWarmsUpUntilQuietWhateverTheBacklog() {
    ServingSimulator.Warmup warmup = ServingSimulator.ProbePlan.PRODUCT.warmup(true, true, 100, TARGET_MS);

    assertThat(warmup.over(12_000, false, 0)).isFalse();
    assertThat(warmup.over(149_000, false, 0)).isFalse();
    assertThat(warmup.over(150_000, false, 0)).isTrue();
  }
}

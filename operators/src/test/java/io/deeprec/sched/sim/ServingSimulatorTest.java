package io.deeprec.sched.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.deeprec.sched.FixedBatchPolicy;
import io.deeprec.sched.StaticBatchPolicy;
import io.deeprec.sched.TimeoutBatchPolicy;
import io.deeprec.sched.BatchSettings;
import io.deeprec.sched.BatchPolicy;
import io.deeprec.workload.QuerySizes;
import org.junit.jupiter.api.Test;

class ServingSimulatorTest {

  private static ServingSimulator.Builder oneWorkerConstantService(double qps) {
    return ServingSimulator.builder()
        .workers(1)
        .cpuService(ServiceTimeModel.constant(1.0))
        .querySizes(QuerySizes.fixed(100))
        .rateQps(qps)
        .warmupQueries(2_000)
        .measuredQueries(40_000)
        .seed(3);
  }

  @Test
  void theSameSeedGivesTheSameRun() {
    ServingSimulator simulator = oneWorkerConstantService(600).build();

    SimulationResult first = simulator.run(new StaticBatchPolicy());
    SimulationResult second = simulator.run(new StaticBatchPolicy());

    assertThat(second.p95Ms()).isEqualTo(first.p95Ms());
    assertThat(second.throughputQps()).isEqualTo(first.throughputQps());
    assertThat(second.trace()).isEqualTo(first.trace());
  }

  @Test
  void aStallDelaysEveryRequestInFlightAndTheJobChargesItAsWork() {
    ServingSimulator smooth = oneWorkerConstantService(300).build();
    ServingSimulator stalling = oneWorkerConstantService(300).stalls(500, 20).build();

    SimulationResult withoutStalls = smooth.run(new StaticBatchPolicy());
    SimulationResult withStalls = stalling.run(new StaticBatchPolicy());

    // About 4% of the time stalled: the tail grows by about a stall's length, the median barely.
    assertThat(withStalls.p99Ms()).isGreaterThan(withoutStalls.p99Ms() + 10);
    assertThat(withStalls.p50Ms()).isLessThan(withoutStalls.p50Ms() + 1);
    double workWithStalls = withStalls.trace().stream().mapToDouble(w -> w.observation().workMsPerQuery()).average().orElseThrow();
    double workWithout = withoutStalls.trace().stream().mapToDouble(w -> w.observation().workMsPerQuery()).average().orElseThrow();
    assertThat(workWithStalls).isGreaterThan(workWithout);
    assertThat(stalling.run(new StaticBatchPolicy()).trace()).as("deterministic for a seed").isEqualTo(withStalls.trace());
  }

  @Test
  void aColdStartServesSlowerAtFirstAndThenAsTheModel() {
    SimulationResult cold = oneWorkerConstantService(300).coldStart(2.0, 2_000).build().run(new StaticBatchPolicy());

    double first = cold.trace().get(0).observation().workMsPerQuery();
    double late = cold.trace().get(cold.trace().size() - 2).observation().workMsPerQuery();
    assertThat(first).isGreaterThan(1.5);
    assertThat(late).isCloseTo(1.0, within(0.01));
  }

  @Test
  void refusesHalfAStallOrAColdStartFasterThanTheModel() {
    assertThatThrownBy(() -> oneWorkerConstantService(1).stalls(500, 0).build()).hasMessageContaining("stalls");
    assertThatThrownBy(() -> oneWorkerConstantService(1).coldStart(0.5, 1_000).build()).hasMessageContaining("coldStart");
  }

  /** M/D/1 with service 1 ms at utilisation 0.5: mean sojourn = S + rho S / (2 (1 - rho)) = 1.5 ms. */
  @Test
  void oneWorkerWithFixedServiceMatchesMd1() {
    SimulationResult result = oneWorkerConstantService(500).build().run(new StaticBatchPolicy());

    assertThat(result.meanMs()).isCloseTo(1.5, within(0.075));
    assertThat(result.cpuUtilisation()).isCloseTo(0.5, within(0.02));
    assertThat(result.throughputQps()).isCloseTo(500, within(15.0));
  }

  @Test
  void latencyIsFiniteBelowSaturationAndGrowsWithLoad() {
    double previousP95 = 0;
    for (double qps : new double[] {300, 600, 900}) {
      SimulationResult result = oneWorkerConstantService(qps).build().run(new StaticBatchPolicy());

      assertThat(result.p95Ms()).isGreaterThan(previousP95).isLessThan(100);
      assertThat(result.throughputQps()).isCloseTo(qps, within(qps * 0.05));
      previousP95 = result.p95Ms();
    }
  }

  /**
   * DESIGN.md's back-of-envelope: at low load with 8 workers, splitting a 167-item query into 8
   * parts cuts its latency toward 1/8; near capacity on an embedding-bound model, splitting in two
   * doubles the fixed costs and overloads the workers that serve whole queries comfortably.
   */
  @Test
  void splittingCutsLatencyAtLowLoadAndCostsCapacityNearSaturation() {
    ServingSimulator mlpBound = ServingSimulator.builder().workers(8).cpuService(ServiceTimeModel.linear(0.1, 0.05))
        .rateQps(20).warmupQueries(100).measuredQueries(2_000).build();
    double whole = mlpBound.run(new StaticBatchPolicy()).p95Ms();
    double eighths = mlpBound.run(new FixedBatchPolicy(21, 0)).p95Ms();
    assertThat(eighths).isLessThan(0.25 * whole);

    ServingSimulator embeddingBound = ServingSimulator.builder().workers(2).cpuService(ServiceTimeModel.linear(5, 0.01))
        .rateQps(250).warmupQueries(500).measuredQueries(5_000).build();
    SimulationResult unsplit = embeddingBound.run(new StaticBatchPolicy());
    SimulationResult halves = embeddingBound.run(new FixedBatchPolicy(84, 0));
    assertThat(unsplit.throughputQps()).isCloseTo(250, within(12.5));
    assertThat(halves.throughputQps()).isLessThan(200);
    assertThat(halves.p95Ms()).isGreaterThan(10 * unsplit.p95Ms());
  }

  /** Small queries merge under timeout batching, and no item waits longer than the max delay plus its service. */
  @Test
  void timeoutBatchingMergesSmallQueriesWithinTheMaxDelay() {
    ServingSimulator simulator = ServingSimulator.builder().workers(4).cpuService(ServiceTimeModel.linear(1.0, 0.01))
        .querySizes(QuerySizes.fixed(10)).rateQps(1_000).warmupQueries(100).measuredQueries(5_000).build();

    SimulationResult merged = simulator.run(new TimeoutBatchPolicy(64, 2));
    SimulationResult unmerged = simulator.run(new FixedBatchPolicy(64, 0));

    assertThat(unmerged.meanRequestItems()).isEqualTo(10.0);
    assertThat(merged.meanRequestItems()).isGreaterThan(15.0);
    assertThat(merged.cpuUtilisation()).isLessThan(unmerged.cpuUtilisation());
    assertThat(merged.p99Ms()).isLessThan(2 + 1.0 + 0.01 * 64 + 2);
  }

  /** Queries at or above the threshold go whole to the accelerator; without one the threshold is ignored. */
  @Test
  void offloadsLargeQueriesOnlyWhenAnAcceleratorExists() {
    BatchPolicy offloadAbove200 = new BatchPolicy() {
      @Override
      public String name() {
        return "offload-200";
      }

      @Override
      public BatchSettings settings() {
        return new BatchSettings(1024, 0, 200);
      }
    };
    ServingSimulator.Builder builder = ServingSimulator.builder().workers(2).cpuService(ServiceTimeModel.linear(0.5, 0.05))
        .rateQps(50).warmupQueries(0).measuredQueries(10_000);

    SimulationResult withAccelerator = builder.acceleratorService(ServiceTimeModel.linear(2, 0.001)).build().run(offloadAbove200);
    SimulationResult without = builder.acceleratorService(null).build().run(offloadAbove200);

    // lognormal(5.1, 0.2): P(N >= 200) = P(Z >= (ln 199.5 - 5.1) / 0.2) ~ 0.16
    assertThat(withAccelerator.offloadedQueries() / 10_000.0).isCloseTo(0.16, within(0.03));
    assertThat(without.offloadedQueries()).isZero();
  }

  /** A rate step shows in the windows' qps, so a policy can see the load change. */
  @Test
  void aRateStepDoublesTheObservedQps() {
    SimulationResult result = ServingSimulator.builder().workers(4).cpuService(ServiceTimeModel.linear(0.5, 0.05))
        .rate(RateSchedule.step(100, 60_000, 200)).warmupQueries(0).measuredQueries(20_000).build()
        .run(new StaticBatchPolicy());

    double before = result.trace().stream().filter(w -> w.observation().windowEndMs() < 55_000)
        .mapToDouble(w -> w.observation().qps()).average().orElseThrow();
    double after = result.trace().stream().filter(w -> w.observation().windowEndMs() > 65_000)
        .mapToDouble(w -> w.observation().qps()).average().orElseThrow();
    assertThat(after / before).isCloseTo(2.0, within(0.2));
  }
}

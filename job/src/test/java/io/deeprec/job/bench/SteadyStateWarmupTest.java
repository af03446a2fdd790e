package io.deeprec.job.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.deeprec.inference.InferenceWorkers;
import io.deeprec.model.ModelId;
import io.deeprec.model.ModelKey;
import io.deeprec.model.ModelRegistry;
import io.deeprec.sched.FixedBatchPolicy;
import io.deeprec.workload.QuerySizes;
import org.junit.jupiter.api.Test;

/**
 * A steady-state plan warms a fixed batch size up as long as a settled adaptive policy (the
 * adaptive minimum warm-up, then the drain) before its measured windows; a plain plan measures it
 * after its own warm-up. Checked by the probe's duration, which cannot be shorter than its
 * scheduled arrivals (NCF at table scale 0.002, 400 queries/s: 1.9 s + 2.6 s before measuring).
 */
class SteadyStateWarmupTest {

  @Test
  void aFixedSizeWaitsLikeASettledAdaptivePolicyOnlyWhenThePlanAsks() throws Exception {
    double qps = 400;
    double steadyWarmupS = InProcessHarness.ADAPTIVE_WARMUP_WINDOWS * InProcessHarness.FEEDBACK_QUERIES / qps
        + (double) InProcessHarness.DRAIN_WINDOWS * InProcessHarness.FEEDBACK_QUERIES / qps;
    InProcessHarness.Plan plain = new InProcessHarness.Plan(200, 0.2, 0.5, 1, 1, 3, false);
    try (InferenceWorkers.Lease workers = InferenceWorkers.acquire(2);
        ModelRegistry.Lease model = ModelRegistry.acquire(ModelKey.random(ModelId.NCF, 0.002, 3))) {
      InProcessHarness harness = new InProcessHarness(model.model(), workers.workers(), QuerySizes.parse("lognormal"), 3);
      harness.probe(new FixedBatchPolicy(1024, 0), qps, plain); // JIT and native warm-up, not timed

      double plainS = timedProbeS(harness, qps, plain);
      double steadyS = timedProbeS(harness, qps, plain.withSteadyStateWarmup());

      assertThat(steadyS).isGreaterThanOrEqualTo(steadyWarmupS + 0.5);
      assertThat(plainS).isLessThan(steadyWarmupS);
    }
  }

  private static double timedProbeS(InProcessHarness harness, double qps, InProcessHarness.Plan plan) {
    long start = System.nanoTime();
    Probe probe = harness.probe(new FixedBatchPolicy(1024, 0), qps, plan);
    assertThat(probe.measuredQueries()).isPositive();
    return (System.nanoTime() - start) / 1e9;
  }
}

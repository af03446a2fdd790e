package io.deeprec.job.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.deeprec.inference.InferenceWorkers;
import io.deeprec.model.FeatureBatch;
import io.deeprec.model.ModelId;
import io.deeprec.model.ModelKey;
import io.deeprec.model.ModelRegistry;
import io.deeprec.model.ModelScorer;
import io.deeprec.model.ModelSpec;
import io.deeprec.model.RecModel;
import io.deeprec.sched.FixedBatchPolicy;
import io.deeprec.workload.QuerySizes;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * A measured probe is cut short only by a backlog that its windows' p95 cannot absorb. With a 5 ms
 * target at 400 queries/s, a 60 ms pause of every worker (a GC-like stall) leaves 24 queries in
 * flight, 1.5% of the 2 s window's 800 arrivals: the probe goes on. A 400 ms pause leaves 160, 20% of
 * them: the window is lost and the probe is cut short.
 */
class OverloadCutoffTest {
  private static final double QPS = 400;
  private static final InProcessHarness.Plan PLAN = new InProcessHarness.Plan(5, 0.5, 2.0, 1, 1, 5, false);

  @Test
  void aStallTheWindowAbsorbsDoesNotCutTheProbeShortButALongOneDoes() throws Exception {
    try (InferenceWorkers.Lease workers = InferenceWorkers.acquire(2);
        ModelRegistry.Lease model = ModelRegistry.acquire(ModelKey.random(ModelId.NCF, 0.002, 5))) {
      new InProcessHarness(model.model(), workers.workers(), QuerySizes.parse("lognormal"), 5)
          .probe(new FixedBatchPolicy(1024, 0), QPS, PLAN); // JIT and native warm-up

      Probe shortStall = probeWithStall(model.model(), workers.workers(), 60);
      Probe longStall = probeWithStall(model.model(), workers.workers(), 400);

      assertThat(shortStall.overloaded()).as("60 ms stall").isFalse();
      assertThat(shortStall.measuredQueries()).isGreaterThan(700);
      assertThat(longStall.overloaded()).as("400 ms stall").isTrue();
    }
  }

  @Test
  void theCutoffIsTheLargerOfFourTargetsAndTheP95sShareOfAWindow() {
    assertThat(InProcessHarness.measuredOverloadSeconds(5, 2.0)).isEqualTo(0.1);
    assertThat(InProcessHarness.measuredOverloadSeconds(100, 2.0)).isEqualTo(0.4);
  }

  /** A probe whose workers all pause for {@code stallMs} 1.2 s in, inside the measured window (0.5-2.5 s). */
  private static Probe probeWithStall(RecModel model, InferenceWorkers workers, long stallMs) {
    long stallStart = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1200);
    RecModel stalling = new StallingModel(model, stallStart, stallStart + TimeUnit.MILLISECONDS.toNanos(stallMs));
    return new InProcessHarness(stalling, workers, QuerySizes.parse("lognormal"), 5)
        .probe(new FixedBatchPolicy(1024, 0), QPS, PLAN);
  }

  /** Delegates to a model; a call that starts within [stallStart, stallEnd) waits until stallEnd. */
  private record StallingModel(RecModel delegate, long stallStart, long stallEnd) implements RecModel {
    @Override
    public ModelSpec spec() {
      return delegate.spec();
    }

    @Override
    public String device() {
      return delegate.device();
    }

    @Override
    public ModelScorer newScorer() {
      ModelScorer scorer = delegate.newScorer();
      return new ModelScorer() {
        @Override
        public float[] score(FeatureBatch batch) {
          long now = System.nanoTime();
          while (now >= stallStart && now < stallEnd) {
            LockSupport.parkNanos(stallEnd - now);
            now = System.nanoTime();
          }
          return scorer.score(batch);
        }

        @Override
        public void close() {
          scorer.close();
        }
      };
    }

    @Override
    public void close() {
      // The registry's lease owns the delegate.
    }
  }
}

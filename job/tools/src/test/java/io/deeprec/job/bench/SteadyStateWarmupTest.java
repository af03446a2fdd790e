package io.deeprec.job.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.DoubleToIntFunction;
import org.junit.jupiter.api.Test;

/**
 * A steady-state plan warms a fixed batch size up as long as a settled adaptive policy (the
 * adaptive minimum warm-up, then the drain) before its measured windows; a plain plan measures it
 * after its own warm-up. Checked on what the harness schedules: its warm-up decision is replayed on
 * arrivals due every 2.5 ms (400 queries/s), without a clock or a model, and the scheduled time of
 * the first measured arrival is read off (12 one-second feedback windows of minimum warm-up, then
 * 10 s of drain: 16 windows, capped at 10 s).
 */
class SteadyStateWarmupTest {
  private static final double QPS = 400;
  private static final double ARRIVAL_GAP_MS = 1000 / QPS;
  private static final int WORKERS = 2;
  /** 200 ms target, 0.2 s warm-up, one 0.5 s window. */
  private static final InProcessHarness.Plan PLAIN = new InProcessHarness.Plan(200, 0.2, 0.5, 1, 1, 3, false);
  private static final DoubleToIntFunction EMPTY_QUEUE = dueMs -> 0;

  /** Input: the plain plan, a fixed size, an empty queue. Expected: measured from 0.2 s, the run ends at 0.7 s. */
  @Test
  void aPlainPlanMeasuresAFixedSizeAfterItsOwnWarmup() {
    InProcessHarness.Warmup warmup = replay(PLAIN, false, EMPTY_QUEUE);

    assertThat(warmup.warmupMs()).isEqualTo(200.0);
    assertThat(warmup.totalMs()).isEqualTo(700.0);
  }

  /**
   * Input: the same plan with a steady-state warm-up, a fixed size, an empty queue. Expected:
   * measured from 12 + 10 = 22 s, the run ends one window later; so is an adaptive policy settled
   * from the start under the plain plan.
   */
  @Test
  void aSteadyStatePlanWarmsAFixedSizeUpLikeASettledAdaptivePolicy() {
    double steadyWarmupMs = InProcessHarness.ADAPTIVE_WARMUP_WINDOWS * InProcessHarness.FEEDBACK_WINDOW_MS + 10_000;

    InProcessHarness.Warmup fixed = replay(PLAIN.withSteadyStateWarmup(), false, EMPTY_QUEUE);
    InProcessHarness.Warmup adaptive = replay(PLAIN, true, EMPTY_QUEUE);

    assertThat(steadyWarmupMs).isEqualTo(22_000.0);
    assertThat(fixed.warmupMs()).isEqualTo(steadyWarmupMs);
    assertThat(fixed.totalMs()).isEqualTo(steadyWarmupMs + 500);
    assertThat(adaptive.warmupMs()).isEqualTo(steadyWarmupMs);
  }

  /**
   * Input: a steady-state plan with 100 queries in flight until 30 s, then 80 (400 queries/s x the
   * 200 ms target: what a system meeting the target holds). Expected: measured from 30 s, when the
   * backlog has drained, not from 22 s.
   */
  @Test
  void aSteadyStatePlanMeasuresOnlyOnceTheBacklogHasDrained() {
    InProcessHarness.Warmup warmup = replay(PLAIN.withSteadyStateWarmup(), false, dueMs -> dueMs < 30_000 ? 100 : 80);

    assertThat(warmup.warmupMs()).isEqualTo(30_000.0);
  }

  /**
   * Input: a steady-state plan with a backlog of 100 queries that never drains. Expected: measured
   * 40 s after the policy settled (12 s), the longest drain: from 52 s.
   */
  @Test
  void aBacklogThatNeverDrainsDelaysMeasuringByTheLongestDrainOnly() {
    InProcessHarness.Warmup warmup = replay(PLAIN.withSteadyStateWarmup(), false, dueMs -> 100);

    assertThat(warmup.warmupMs()).isEqualTo(52_000.0);
  }

  /**
   * Feeds the warm-up decision the arrivals of a 400 queries/s schedule, one every 2.5 ms
   * (a settled policy, {@code inFlight} queries in flight when each is due), until the first one
   * that is measured; each arrival before it belongs to the warm-up.
   */
  private static InProcessHarness.Warmup replay(InProcessHarness.Plan plan, boolean adaptive,
      DoubleToIntFunction inFlight) {
    InProcessHarness.Warmup warmup = new InProcessHarness.Warmup(plan, adaptive, QPS, WORKERS);
    for (int i = 0; ; i++) {
      double dueMs = i * ARRIVAL_GAP_MS;
      assertThat(dueMs).as("arrival %d is within the run", i).isLessThan(warmup.totalMs());
      int window = warmup.windowOf(dueMs, () -> true, () -> inFlight.applyAsInt(dueMs));
      if (window >= 0) {
        assertThat(window).as("the first measured arrival's window").isZero();
        assertThat(warmup.measuring()).isTrue();
        assertThat(warmup.warmupMs()).as("the measured windows start at the first measured arrival").isEqualTo(dueMs);
        return warmup;
      }
      assertThat(warmup.measuring()).as("arrival %d at %.1f ms is warm-up", i, dueMs).isFalse();
    }
  }
}

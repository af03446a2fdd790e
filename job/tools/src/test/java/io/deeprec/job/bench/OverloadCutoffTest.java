package io.deeprec.job.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A measured probe is cut short only by a backlog that its windows' p95 cannot absorb. With a 5 ms
 * target at 400 queries/s, a 60 ms pause of every worker (a GC-like stall) leaves 24 queries in
 * flight, 1.5% of the 2 s window's 800 arrivals: the probe goes on. A 400 ms pause leaves 160, 20% of
 * them: the window is lost and the probe is cut short. Checked on the harness's cut-off decision
 * with those numbers, without a clock or a model (the run itself is timed in the benchmark).
 */
class OverloadCutoffTest {
  private static final double QPS = 400;
  private static final double TARGET_MS = 5;
  private static final double WINDOW_S = 2.0;
  private static final int WORKERS = 2;

  /** Input: 24 queries in flight (a 60 ms stall) of a 2 s window's 800 arrivals. Expected: not lost. */
  @Test
  void aStallTheWindowsP95AbsorbsDoesNotCutTheProbeShort() {
    assertThat(InProcessHarness.measuredWindowLost(24, QPS, TARGET_MS, WINDOW_S, WORKERS)).isFalse();
  }

  /** Input: 160 queries in flight (a 400 ms stall) of the same window. Expected: lost, the probe is cut short. */
  @Test
  void aStallBeyondTheWindowsP95CutsTheProbeShort() {
    assertThat(InProcessHarness.measuredWindowLost(160, QPS, TARGET_MS, WINDOW_S, WORKERS)).isTrue();
  }

  /** Input: 40 and 41 in flight, 40 being 5% of the window's 800 arrivals. Expected: 40 absorbed, 41 lost. */
  @Test
  void theWindowAbsorbsABacklogUpToItsP95sShareOfArrivals() {
    assertThat(InProcessHarness.measuredWindowLost(40, QPS, TARGET_MS, WINDOW_S, WORKERS)).isFalse();
    assertThat(InProcessHarness.measuredWindowLost(41, QPS, TARGET_MS, WINDOW_S, WORKERS)).isTrue();
  }

  /**
   * Input: 1 query/s, where 0.1 s of arrivals is less than a query. Expected: up to four in flight
   * per worker (8 for 2) never cut the probe short, a ninth does.
   */
  @Test
  void fourQueriesInFlightPerWorkerNeverCutTheProbeShort() {
    assertThat(InProcessHarness.measuredWindowLost(8, 1, TARGET_MS, WINDOW_S, WORKERS)).isFalse();
    assertThat(InProcessHarness.measuredWindowLost(9, 1, TARGET_MS, WINDOW_S, WORKERS)).isTrue();
  }

  /**
   * Input: the 400 ms stall's 160 queries in flight, and 2,001, during the warm-up at 400 queries/s.
   * Expected: 160 are a backlog an adaptive policy may still drain; only more than 5 s of arrivals
   * (2,000) cut the warm-up short.
   */
  @Test
  void theWarmupToleratesABacklogOfFiveSecondsOfArrivals() {
    assertThat(InProcessHarness.warmupLost(160, QPS, WORKERS)).isFalse();
    assertThat(InProcessHarness.warmupLost(2_000, QPS, WORKERS)).isFalse();
    assertThat(InProcessHarness.warmupLost(2_001, QPS, WORKERS)).isTrue();
  }

  /** Input: 5 ms and 100 ms targets, 2 s windows. Expected: 0.1 s (5% of the window) and 0.4 s (four targets). */
  @Test
  void theCutoffIsTheLargerOfFourTargetsAndTheP95sShareOfAWindow() {
    assertThat(InProcessHarness.measuredOverloadSeconds(5, 2.0)).isEqualTo(0.1);
    assertThat(InProcessHarness.measuredOverloadSeconds(100, 2.0)).isEqualTo(0.4);
  }
}

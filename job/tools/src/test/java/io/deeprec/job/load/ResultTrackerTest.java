package io.deeprec.job.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.deeprec.sched.LatencyStats;
import org.junit.jupiter.api.Test;

/** What a latency target is judged on: the p95 over every answered query, a query shed counted as a miss. */
class ResultTrackerTest {

  /** OK latencies 1..n ms. */
  private static LatencyStats okLatencies(int n) {
    LatencyStats stats = new LatencyStats();
    for (int ms = 1; ms <= n; ms++) {
      stats.record(ms);
    }
    return stats;
  }

  @Test
  void withEveryAnswerOkItIsTheOkResultsP95() {
    LatencyStats ok = okLatencies(100);

    assertThat(ResultTracker.p95OfAnswered(ok, 100)).isEqualTo(ok.percentile(95)).isCloseTo(95.0, within(0.1));
  }

  @Test
  void answersWithoutScoresCountAsTheSlowest() {
    // 100 answered, 95 OK in 1..95 ms: the OK answers alone put their p95 at 91 ms; with the five shed
    // answers at the top, the 95th of all 100 is the slowest OK answer.
    LatencyStats ok = okLatencies(95);

    assertThat(ok.percentile(95)).isCloseTo(91.0, within(0.1));
    assertThat(ResultTracker.p95OfAnswered(ok, 100)).isCloseTo(95.0, within(0.1));
  }

  @Test
  void withMoreThanOneAnswerInTwentyShedNoTargetIsMet() {
    assertThat(ResultTracker.p95OfAnswered(new LatencyStats(), 1_000)).as("every query shed").isInfinite();
    assertThat(ResultTracker.p95OfAnswered(okLatencies(94), 100)).as("94 of 100 OK").isInfinite();
    assertThat(ResultTracker.p95OfAnswered(new LatencyStats(), 0)).as("nothing answered").isZero();
  }
}

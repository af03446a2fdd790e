package io.deeprec.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LatencyStatsTest {

  @Test
  void percentilesOfOneToOneHundredMs() {
    LatencyStats stats = new LatencyStats();
    for (int ms = 1; ms <= 100; ms++) {
      stats.record(ms);
    }

    assertThat(stats.count()).isEqualTo(100);
    assertThat(stats.percentile(50)).isCloseTo(50.0, within(0.1));
    assertThat(stats.percentile(95)).isCloseTo(95.0, within(0.1));
    assertThat(stats.percentile(99)).isCloseTo(99.0, within(0.1));
    assertThat(stats.maxMs()).isCloseTo(100.0, within(0.1));
  }

  @Test
  void emptyIsZeroAndSubMillisecondIsKept() {
    LatencyStats stats = new LatencyStats();
    assertThat(stats.percentile(95)).isZero();

    stats.record(0.25);
    assertThat(stats.percentile(50)).isCloseTo(0.25, within(0.001));
  }
}

package io.deeprec.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deeprec.sched.BatchSettings;
import io.deeprec.sched.WindowObservation;
import org.junit.jupiter.api.Test;

class MetricsWindowTest {
  private static final BatchSettings B64 = new BatchSettings(64, 0, 0);
  private static final BatchSettings B32 = new BatchSettings(32, 0, 0);

  /** Windows are aligned to multiples of their length, whatever time opens them. */
  @Test
  void windowsAreAlignedToTheirLength() {
    MetricsWindow window = MetricsWindow.containing(12_345, 1_000);

    assertThat(window.startMs()).isEqualTo(12_000);
    assertThat(window.endMs()).isEqualTo(13_000);
    assertThatThrownBy(() -> MetricsWindow.containing(0, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * Input: two OK queries (10 and 30 ms, 4 and 8 ms of work) at batch 64 on pool a (2 workers),
   * one expired, one on pool b (3 workers, queue 7). Output: counts, mean work over OK queries,
   * 5 workers, the deepest queue, and an observation for batch 64 only.
   */
  @Test
  void countsWorkWorkersAndSettings() {
    MetricsWindow window = MetricsWindow.containing(0, 1_000);
    window.record(MetricsWindow.Outcome.OK, 10, 100, 4, false, B64, "a", 2, 1);
    window.record(MetricsWindow.Outcome.OK, 30, 200, 8, false, B64, "b", 3, 7);
    window.record(MetricsWindow.Outcome.EXPIRED, 500, 300, 0, false, null, "", 0, 0);
    window.recordDeadLetter();

    assertThat(window.queries()).isEqualTo(3);
    assertThat(window.okCount()).isEqualTo(2);
    assertThat(window.expiredCount()).isEqualTo(1);
    assertThat(window.deadLetterCount()).isEqualTo(1);
    assertThat(window.qps()).isEqualTo(3.0);
    assertThat(window.meanQueryItems()).isEqualTo(200.0);
    assertThat(window.maxQueryItems()).isEqualTo(300);
    assertThat(window.workMsPerQuery()).isEqualTo(6.0);
    assertThat(window.workers()).isEqualTo(5);
    assertThat(window.maxQueueDepth()).isEqualTo(7);
    assertThat(window.mixedSettings()).isFalse();
    WindowObservation seen = window.observationFor(B64);
    assertThat(seen).isNotNull();
    assertThat(seen.applied()).isEqualTo(B64);
    assertThat(seen.p95Ms()).isCloseTo(30, org.assertj.core.data.Offset.offset(0.1));
    assertThat(window.observationFor(B32)).as("a window served at 64 judges nothing about 32").isNull();
  }

  /** Input: OK queries under batch 64, then 32. Output: mixed; no policy may learn from it. */
  @Test
  void aWindowUnderTwoSettingsIsMixed() {
    MetricsWindow window = MetricsWindow.containing(0, 1_000);
    window.record(MetricsWindow.Outcome.OK, 10, 100, 4, false, B64, "a", 2, 0);
    window.record(MetricsWindow.Outcome.OK, 10, 100, 4, false, B32, "a", 2, 0);

    assertThat(window.mixedSettings()).isTrue();
    assertThat(window.settings()).isEqualTo(B32);
    assertThat(window.observationFor(B32)).isNull();
    assertThat(window.observationFor(B64)).isNull();
  }
}

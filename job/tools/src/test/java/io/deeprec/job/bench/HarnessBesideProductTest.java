package io.deeprec.job.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A harness probe beside the product is judged as the product judges: its windows together. */
class HarnessBesideProductTest {

  private static Probe probe(List<Double> windowP95s, double overallP95, long measured, boolean overloaded) {
    boolean eachWindowMet = !overloaded && windowP95s.stream().allMatch(p95 -> p95 <= 100);
    return new Probe(50, 50, measured, windowP95s, 40, overallP95, overallP95 * 1.2, 100, 3, null, eachWindowMet,
        overloaded, new double[0], List.of(), List.of(), 0, "", Double.NaN, -1, Double.NaN);
  }

  @Test
  void oneWindowOverTheTargetPassesWhenAllWindowsTogetherMeetIt() {
    Probe harness = probe(List.of(80.0, 110.0, 85.0), 95, 750, false);

    Probe judged = ProductBench.judgedTogether(harness, 100);

    assertThat(harness.feasible()).isFalse();
    assertThat(judged.feasible()).isTrue();
    assertThat(judged.p95Ms()).isEqualTo(95);
    assertThat(judged.windowP95Ms()).isEqualTo(harness.windowP95Ms());
  }

  @Test
  void windowsTogetherOverTheTargetMiss() {
    assertThat(ProductBench.judgedTogether(probe(List.of(90.0, 99.0, 98.0), 101, 750, false), 100).feasible())
        .isFalse();
  }

  @Test
  void aProbeCutShortOrWithNothingMeasuredMissesWhateverItsP95() {
    assertThat(ProductBench.judgedTogether(probe(List.of(50.0, 60.0, 55.0), 60, 750, true), 100).feasible()).isFalse();
    assertThat(ProductBench.judgedTogether(probe(List.of(), 0, 0, false), 100).feasible()).isFalse();
  }
}

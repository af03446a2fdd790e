package io.deeprec.job.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LbtSearchTest {

  /** A system that meets its target up to {@code capacity} queries/s. */
  private static Probe probe(double qps, double capacity) {
    boolean feasible = qps <= capacity;
    return new Probe(qps, qps, 100, List.of(), 1, feasible ? 10 : 1_000, 1_000, 1, 1, null, feasible, !feasible,
        new double[0], List.of(), List.of(), 0, "", Double.NaN);
  }

  @Test
  void findsTheCapacityFromAStartFarAboveIt() {
    LbtSearch.Result found = new LbtSearch(1.25, 0.04, 0.5).search(8_700, qps -> probe(qps, 300));

    assertThat(found.lbtQps()).isBetween(300 * 0.96, 300.0);
    assertThat(found.probes()).hasSizeLessThanOrEqualTo(16);
  }

  @Test
  void findsTheCapacityFromAStartFarBelowIt() {
    LbtSearch.Result found = new LbtSearch(1.25, 0.04, 0.5).search(2, qps -> probe(qps, 300));

    assertThat(found.lbtQps()).isBetween(300 * 0.96, 300.0);
  }

  @Test
  void reportsZeroWhenNothingDownToTheFloorMeetsTheTarget() {
    LbtSearch.Result found = new LbtSearch(1.25, 0.04, 0.5).search(100, qps -> probe(qps, 0.1));

    assertThat(found.lbtQps()).isZero();
    assertThat(found.probes().get(found.probes().size() - 1).askedQps()).isEqualTo(0.5);
  }
}

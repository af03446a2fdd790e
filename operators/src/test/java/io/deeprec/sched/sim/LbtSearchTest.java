package io.deeprec.sched.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

class LbtSearchTest {

  record Tried(double askedQps, boolean feasible) implements LbtSearch.Outcome {}

  /** A system that meets its target up to {@code capacity} queries/s. */
  private static Tried probe(double qps, double capacity) {
    return new Tried(qps, qps <= capacity);
  }

  @Test
  void findsTheCapacityFromAStartFarAboveIt() {
    LbtSearch.Result<Tried> found = new LbtSearch(1.25, 0.04, 0.5).search(8_700, qps -> probe(qps, 300));

    assertThat(found.lbtQps()).isBetween(300 * 0.96, 300.0);
    assertThat(found.probes()).hasSizeLessThanOrEqualTo(16);
  }

  @Test
  void findsTheCapacityFromAStartFarBelowIt() {
    LbtSearch.Result<Tried> found = new LbtSearch(1.25, 0.04, 0.5).search(2, qps -> probe(qps, 300));

    assertThat(found.lbtQps()).isBetween(300 * 0.96, 300.0);
  }

  @Test
  void reportsZeroWhenNothingDownToTheFloorMeetsTheTarget() {
    LbtSearch.Result<Tried> found = new LbtSearch(1.25, 0.04, 0.5).search(100, qps -> probe(qps, 0.1));

    assertThat(found.lbtQps()).isZero();
    assertThat(found.probes().get(found.probes().size() - 1).askedQps()).isEqualTo(0.5);
  }

  @Test
  void aRateFailsOnlyWhenEveryStrikeMisses() {
    // The first probe of 200 queries/s misses (a stall), the second meets: with two strikes 200 holds.
    Deque<Boolean> at200 = new ArrayDeque<>(List.of(false, true));
    LbtSearch.Result<Tried> found = new LbtSearch(2, 0.04, 0.5, 2).search(200,
        qps -> qps == 200 ? new Tried(qps, at200.poll()) : probe(qps, 300));

    assertThat(found.lbtQps()).isBetween(300 * 0.96, 300.0);
    assertThat(found.probes().subList(0, 2)).extracting(Tried::feasible).containsExactly(false, true);
    // Every rate above the capacity was probed twice before it failed.
    assertThat(found.probes().stream().filter(p -> p.askedQps() > 300).count() % 2).isZero();
  }

  @Test
  void oneStrikeFailsARateOnItsFirstMiss() {
    LbtSearch.Result<Tried> found = new LbtSearch(2, 0.04, 0.5, 1).search(200, qps -> qps == 200 ? new Tried(qps, false)
        : probe(qps, 300));

    assertThat(found.probes().get(0).feasible()).isFalse();
    assertThat(found.probes().get(1).askedQps()).isEqualTo(100);
  }
}

package io.deeprec.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LatencyCurveTest {

  private final LatencyCurve curve = new LatencyCurve(Map.of(16, 1.0, 64, 4.0, 256, 8.0));

  @Test
  void returnsMeasuredPointsExactly() {
    assertThat(curve.latencyMs(16)).isCloseTo(1.0, within(1e-9));
    assertThat(curve.latencyMs(64)).isCloseTo(4.0, within(1e-9));
    assertThat(curve.latencyMs(256)).isCloseTo(8.0, within(1e-9));
  }

  /** Halfway between 16 and 64 on a log axis is 32; halfway between 1 and 4 ms on a log axis is 2 ms. */
  @Test
  void interpolatesLinearlyOnLogLogAxes() {
    assertThat(curve.latencyMs(32)).isCloseTo(2.0, within(1e-9));
    assertThat(curve.latencyMs(128)).isCloseTo(Math.sqrt(32), within(1e-9));
  }

  @Test
  void extrapolatesWithTheNearestSlopeAndNeverDecreases() {
    assertThat(curve.latencyMs(1024)).isCloseTo(16.0, within(1e-9));
    assertThat(curve.latencyMs(4)).isCloseTo(0.25, within(1e-9));
    LatencyCurve flat = new LatencyCurve(Map.of(1, 3.0, 8, 2.0));
    assertThat(flat.latencyMs(64)).isGreaterThanOrEqualTo(flat.latencyMs(8));
  }

  @Test
  void refusesAnEmptyOrNonPositiveTable() {
    assertThatThrownBy(() -> new LatencyCurve(Map.of())).hasMessageContaining("at least one");
    assertThatThrownBy(() -> new LatencyCurve(Map.of(8, 0.0))).hasMessageContaining("> 0");
  }
}

package io.deeprec.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RequestCpuCostTest {
  private static final long MS = 1_000_000L;

  @Test
  void chargesEachRequestTheProcessCpuItsIntervalSpentOutsideTheModel() {
    AtomicLong cpu = new AtomicLong();
    RequestCpuCost cost = new RequestCpuCost(cpu::get, 1_000, 0);
    assertThat(cost.overheadMsPerRequest()).isZero();

    // 100 requests of 3 ms of model time in one second, the process spent 500 ms of CPU: 2 ms each besides.
    for (int i = 1; i <= 100; i++) {
      cpu.addAndGet(5 * MS);
      cost.requestDone(3.0, i * 10 * MS);
    }

    assertThat(cost.overheadMsPerRequest()).isCloseTo(2.0, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void holdsTheLastEstimateWithinAnIntervalAndNeverGoesNegative() {
    AtomicLong cpu = new AtomicLong();
    RequestCpuCost cost = new RequestCpuCost(cpu::get, 1_000, 0);
    cpu.addAndGet(100 * MS);
    assertThat(cost.requestDone(150.0, 1_000 * MS)).as("model wall time beyond the CPU used").isZero();
    cpu.addAndGet(400 * MS);
    assertThat(cost.requestDone(100.0, 1_500 * MS)).as("mid-interval").isZero();
    assertThat(cost.requestDone(100.0, 2_000 * MS)).isCloseTo(100.0, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void reportsEachIntervalsModelWallAndCpuTimeBesideTheProcesss() {
    AtomicLong cpu = new AtomicLong();
    RequestCpuCost cost = new RequestCpuCost(cpu::get, 1_000, 0);
    assertThat(cost.lastInterval()).isNull();

    // 20 requests in 2 s, each 40 ms of wall time in the model but 30 ms of its CPU; the process used 1.6 s.
    for (int i = 1; i <= 20; i++) {
      cpu.addAndGet(80 * MS);
      cost.requestDone(40.0, 30.0, i * 100 * MS);
    }

    assertThat(cost.intervalsClosed()).isEqualTo(2);
    RequestCpuCost.Interval second = cost.lastInterval();
    org.assertj.core.data.Offset<Double> exact = org.assertj.core.data.Offset.offset(1e-9);
    assertThat(second.requestsPerSecond()).isCloseTo(10.0, exact);
    assertThat(second.modelWallCores()).isCloseTo(0.4, exact);
    assertThat(second.modelCpuCores()).isCloseTo(0.3, exact);
    assertThat(second.processCores()).isCloseTo(0.8, exact);
    assertThat(second.overheadMsPerRequest()).isCloseTo(40.0, exact);
  }

  @Test
  void refusesANonPositiveInterval() {
    assertThatThrownBy(() -> new RequestCpuCost(() -> 0, 0, 0)).hasMessageContaining("intervalMs");
  }
}

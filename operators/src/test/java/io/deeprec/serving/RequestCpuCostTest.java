package io.deeprec.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class RequestCpuCostTest {
  private static final long MS = 1_000_000L;
  private static final Offset<Double> EXACT = Offset.offset(1e-9);

  /**
   * Runs {@code requests} requests evenly over one second of a process with a CPU floor of {@code floorCores}
   * outside the model; each request takes {@code cpuMs} of the model's CPU and {@code wallMs} of wall time.
   * Returns the charge of the last request of the second.
   */
  private static double second(RequestCpuCost cost, AtomicLong cpu, long startMs, int requests, double wallMs,
      double cpuMs, double floorCores) {
    double charged = 0;
    for (int i = 1; i <= requests; i++) {
      cpu.addAndGet((long) ((cpuMs + floorCores * 1000.0 / requests) * MS));
      charged = cost.requestDone(wallMs, cpuMs, (startMs + i * 1000L / requests) * MS);
    }
    return charged;
  }

  @Test
  void chargesTheModelsCpuTimeScaledByTheWorkersOverTheCoresLeftToThem() {
    AtomicLong cpu = new AtomicLong();
    RequestCpuCost cost = new RequestCpuCost(cpu::get, 2, 2, 1_000, 0);
    cpu.addAndGet(30 * MS);
    assertThat(cost.requestDone(40.0, 30.0, 0)).as("before the first interval, the CPU time as it is").isCloseTo(30.0, EXACT);

    // 20 requests of 30 ms of model CPU in a second, half a core used outside the model: 1.5 cores left to 2 workers.
    second(cost, cpu, 0, 20, 40.0, 30.0, 0.5);

    assertThat(cost.workerScale()).isCloseTo(2 / 1.5, Offset.offset(0.01));
    assertThat(cost.requestDone(40.0, 30.0, 1_100 * MS)).isCloseTo(40.0, Offset.offset(0.3));
  }

  @Test
  void aFloorOutsideTheModelGivesTheSameChargeAtAnyLoad() {
    AtomicLong lightCpu = new AtomicLong();
    RequestCpuCost light = new RequestCpuCost(lightCpu::get, 2, 2, 1_000, 0);
    AtomicLong heavyCpu = new AtomicLong();
    RequestCpuCost heavy = new RequestCpuCost(heavyCpu::get, 2, 2, 1_000, 0);

    // The same 0.4-core floor; 10 requests/s at light load, 40 at heavy load where the workers are preempted.
    second(light, lightCpu, 0, 10, 30.0, 30.0, 0.4);
    second(heavy, heavyCpu, 0, 40, 45.0, 30.0, 0.4);

    double lightCharge = light.requestDone(30.0, 30.0, 1_100 * MS);
    double heavyCharge = heavy.requestDone(45.0, 30.0, 1_100 * MS);
    assertThat(lightCharge).isCloseTo(heavyCharge, Offset.offset(0.5)).isCloseTo(30.0 * 2 / 1.6, Offset.offset(0.5));
  }

  @Test
  void workersWithACoreEachAreChargedTheirCpuTime() {
    AtomicLong cpu = new AtomicLong();
    RequestCpuCost cost = new RequestCpuCost(cpu::get, 2, 8, 1_000, 0);
    second(cost, cpu, 0, 20, 30.0, 30.0, 1.0);

    assertThat(cost.workerScale()).isCloseTo(1.0, EXACT);
    assertThat(cost.lastInterval().coresForWorkers()).isCloseTo(2.0, EXACT);
  }

  @Test
  void withoutTheThreadsCpuTimeChargesTheModelsWallTime() {
    AtomicLong cpu = new AtomicLong();
    RequestCpuCost cost = new RequestCpuCost(cpu::get, 1, 1, 1_000, 0);
    for (int i = 1; i <= 10; i++) {
      cpu.addAndGet(100 * MS);
      cost.requestDone(50.0, Double.NaN, i * 100 * MS);
    }
    assertThat(cost.lastInterval().modelCpuCores()).isCloseTo(0.5, EXACT);
    assertThat(cost.requestDone(50.0, Double.NaN, 1_100 * MS)).isCloseTo(100.0, EXACT);
  }

  @Test
  void reportsEachIntervalsModelWallAndCpuTimeBesideTheProcesss() {
    AtomicLong cpu = new AtomicLong();
    RequestCpuCost cost = new RequestCpuCost(cpu::get, 2, 2, 1_000, 0);
    assertThat(cost.lastInterval()).isNull();

    // 20 requests in 2 s, each 40 ms of wall time in the model but 30 ms of its CPU; the process used 1.6 s.
    for (int i = 1; i <= 20; i++) {
      cpu.addAndGet(80 * MS);
      cost.requestDone(40.0, 30.0, i * 100 * MS);
    }

    assertThat(cost.intervalsClosed()).isEqualTo(2);
    RequestCpuCost.Interval second = cost.lastInterval();
    assertThat(second.requestsPerSecond()).isCloseTo(10.0, EXACT);
    assertThat(second.modelWallCores()).isCloseTo(0.4, EXACT);
    assertThat(second.modelCpuCores()).isCloseTo(0.3, EXACT);
    assertThat(second.processCores()).isCloseTo(0.8, EXACT);
    assertThat(second.coresForWorkers()).isCloseTo(1.5, EXACT);
    assertThat(second.workerScale()).isCloseTo(2 / 1.5, EXACT);
  }

  @Test
  void refusesANonPositiveIntervalOrPool() {
    assertThatThrownBy(() -> new RequestCpuCost(() -> 0, 1, 1, 0, 0)).hasMessageContaining("intervalMs");
    assertThatThrownBy(() -> new RequestCpuCost(() -> 0, 0, 1, 1_000, 0)).hasMessageContaining("workers");
  }
}

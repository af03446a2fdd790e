package io.deeprec.job.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deeprec.sched.sim.RateSchedule;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The due times the sender waits for: their count over a window matches the asked rate (within
 * 2%) for both arrival processes up to 2,000 queries/s, and follows step, sine and burst schedules.
 * No clock is involved; the real send rate is measured by {@code deeprec load} and the benchmark.
 */
class ArrivalScheduleTest {

  @ParameterizedTest(name = "{0} at {1} queries/s")
  @CsvSource({"poisson, 10", "poisson, 200", "poisson, 2000", "poisson-ms, 10", "poisson-ms, 200", "poisson-ms, 2000"})
  void dueTimesOverAWindowMatchTheAskedRate(String process, double rate) {
    double windowMs = Math.max(60_000, 4_000_000 / rate); // at least ~40,000 arrivals: sd 0.5%
    ArrivalSchedule schedule = new ArrivalSchedule(RateSchedule.constant(rate), ArrivalProcess.parse(process), 3);
    long count = countUntil(schedule, windowMs);
    assertThat(count / (windowMs / 1000)).isBetween(rate * 0.98, rate * 1.02);
  }

  @Test
  void dueTimesNeverGoBack() {
    ArrivalSchedule schedule = new ArrivalSchedule(RateSchedules.parse("bursts:2:0.5:4", 500, 20_000),
        ArrivalProcess.POISSON_MS, 9);
    double last = 0;
    for (int i = 0; i < 10_000; i++) {
      double due = schedule.nextDueMs();
      assertThat(due).isGreaterThanOrEqualTo(last);
      last = due;
    }
  }

  @Test
  void stepScheduleDoublesTheCountAfterTheStep() {
    RateSchedule rates = RateSchedules.parse("step:30:2", 1_000, 60_000);
    ArrivalSchedule schedule = new ArrivalSchedule(rates, ArrivalProcess.POISSON, 4);
    long before = countUntil(schedule, 30_000);
    long after = countUntil(schedule, 60_000);
    assertThat(before).isBetween(29_400L, 30_600L);
    assertThat(after).isBetween(58_800L, 61_200L);
  }

  /** The staircase keeps the sine's integral: over whole periods the count is the base rate's. */
  @Test
  void sineScheduleAveragesToTheBaseRate() {
    RateSchedule rates = RateSchedules.parse("sine:10:0.8", 1_000, 60_000);
    assertThat(RateSchedules.expectedArrivals(rates, 0, 60_000)).isCloseTo(60_000, org.assertj.core.data.Offset.offset(1.0));
    assertThat(rates.qpsAt(2_500)).isGreaterThan(1_700);
    assertThat(rates.qpsAt(7_500)).isLessThan(300);
    long count = countUntil(new ArrivalSchedule(rates, ArrivalProcess.POISSON, 8), 60_000);
    assertThat(count).isBetween(58_800L, 61_200L);
  }

  @Test
  void burstsMultiplyTheRateAtTheEndOfEachPeriod() {
    RateSchedule rates = RateSchedules.parse("bursts:10:2:5", 100, 60_000);
    assertThat(rates.qpsAt(1_000)).isEqualTo(100);
    assertThat(rates.qpsAt(9_000)).isEqualTo(500);
    assertThat(rates.qpsAt(11_000)).isEqualTo(100);
    assertThat(RateSchedules.expectedArrivals(rates, 0, 60_000)).isCloseTo(6 * (8 * 100 + 2 * 500), org.assertj.core.data.Offset.offset(1e-6));
  }

  @Test
  void badSchedulesNameTheProblem() {
    assertThatThrownBy(() -> RateSchedules.parse("ramp", 10, 1_000)).hasMessageContaining("unknown rate schedule 'ramp'");
    assertThatThrownBy(() -> RateSchedules.parse("sine:10:2", 10, 1_000)).hasMessageContaining("amplitude");
  }

  @Test
  void modelMixFollowsItsWeights() {
    ModelMix mix = ModelMix.parse("rmc1=0.7,wnd=0.3");
    SplittableRandom random = new SplittableRandom(2);
    int rmc1 = 0;
    for (int i = 0; i < 100_000; i++) {
      rmc1 += mix.pick(random).equals("rmc1") ? 1 : 0;
    }
    assertThat(rmc1).isBetween(69_500, 70_500);
    assertThat(mix.shares()).containsEntry("wnd", 0.3);
  }

  @Test
  void sameSeedSameDueTimes() {
    ArrivalSchedule a = new ArrivalSchedule(RateSchedule.constant(300), ArrivalProcess.POISSON, 42);
    ArrivalSchedule b = new ArrivalSchedule(RateSchedule.constant(300), ArrivalProcess.POISSON, 42);
    for (int i = 0; i < 1_000; i++) {
      assertThat(a.nextDueMs()).isEqualTo(b.nextDueMs());
    }
  }

  /** Due times before {@code untilMs}, counting on from where the schedule is (one look-ahead is kept). */
  private long pending = -1;
  private double pendingDue;

  private long countUntil(ArrivalSchedule schedule, double untilMs) {
    long count = 0;
    if (pending >= 0) {
      if (pendingDue >= untilMs) {
        return 0;
      }
      count++;
      pending = -1;
    }
    while (true) {
      double due = schedule.nextDueMs();
      if (due >= untilMs) {
        pending = 1;
        pendingDue = due;
        return count;
      }
      count++;
    }
  }
}

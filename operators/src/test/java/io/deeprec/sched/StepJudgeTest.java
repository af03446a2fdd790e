package io.deeprec.sched;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The objective as a comparison: target first, then capacity, then p95, with ties within the bands. */
class StepJudgeTest {
  private static final StepJudge JUDGE = new StepJudge(50, 0.05, 0.10);

  private static MeasuredStep step(int batch, double p95Ms, double qps, double capacityQps) {
    return new MeasuredStep(new BatchSettings(batch, 0, 0), p95Ms, qps, 1000 / capacityQps, capacityQps);
  }

  @Test
  void aSettingThatMeetsTheTargetBeatsOneThatMissesItWhateverItsCapacity() {
    assertThat(JUDGE.compare(step(64, 49, 100, 200), step(256, 51, 100, 400))).isPositive();
    assertThat(JUDGE.compare(step(256, 51, 100, 400), step(64, 49, 100, 200))).isNegative();
  }

  @Test
  void betweenTwoThatMeetItClearlyMoreCapacityWinsWhateverTheP95() {
    assertThat(JUDGE.compare(step(256, 45, 100, 400), step(64, 10, 100, 300))).isPositive();
  }

  @Test
  void equalCapacityGoesToTheClearlyLowerP95AndIsATieWithinTheBand() {
    assertThat(JUDGE.compare(step(192, 30, 100, 400), step(256, 40, 100, 404))).isPositive();
    assertThat(JUDGE.compare(step(192, 38, 100, 400), step(256, 40, 100, 404))).isZero();
  }

  @Test
  void betweenTwoThatMissItCapacityDecidesOnlyWhenOneRunsSaturated() {
    // Unsaturated misses (load far below capacity): the service's latency, so the lower p95 wins.
    assertThat(JUDGE.compare(step(64, 60, 100, 200), step(256, 90, 100, 400))).isPositive();
    // Saturated (completed load at capacity): the p95 is a backlog, so capacity wins.
    assertThat(JUDGE.compare(step(64, 300, 199, 200), step(256, 900, 300, 400))).isNegative();
  }

  @Test
  void withMissesByCapacityClearlyMoreCapacityWinsBetweenUnsaturatedMissesToo() {
    StepJudge byCapacity = new StepJudge(50, 0.05, 0.10, true, false);
    assertThat(byCapacity.compare(step(64, 60, 100, 200), step(256, 90, 100, 400))).isNegative();
    // A capacity tie still goes to the lower p95.
    assertThat(byCapacity.compare(step(64, 60, 100, 400), step(256, 90, 100, 404))).isPositive();
  }

  @Test
  void withSaturatedByCapacityOnlyACapacityTieUnderSaturationStaysATie() {
    StepJudge capacityOnly = new StepJudge(50, 0.05, 0.10, false, true);
    // Both saturated, capacities within the margin: the lower p95 (a backlog's course) does not decide.
    assertThat(JUDGE.compare(step(256, 300, 118, 120), step(1024, 900, 121, 122))).isPositive();
    assertThat(capacityOnly.compare(step(256, 300, 118, 120), step(1024, 900, 121, 122))).isZero();
    // Clearly more capacity still wins, and below saturation the lower p95 still breaks a tie.
    assertThat(capacityOnly.compare(step(256, 300, 118, 120), step(1024, 900, 135, 140))).isNegative();
    assertThat(capacityOnly.compare(step(64, 60, 100, 400), step(256, 90, 100, 404))).isPositive();
  }

  @Test
  void aStepsP95IsTheMeanOfItsWindowsOrTheirMedianWhichOneStalledWindowDoesNotMove() {
    BatchSettings settings = new BatchSettings(128, 0, 0);
    List<WindowObservation> windows = List.of(window(settings, 40), window(settings, 42), window(settings, 44),
        window(settings, 400));
    assertThat(MeasuredStep.of(settings, windows, 2, false).p95Ms()).isEqualTo(131.5);
    assertThat(MeasuredStep.of(settings, windows, 2, true).p95Ms()).isEqualTo(43);
    assertThat(MeasuredStep.of(settings, windows.subList(0, 3), 2, true).p95Ms()).isEqualTo(42);
  }

  private static WindowObservation window(BatchSettings settings, double p95Ms) {
    return new WindowObservation(0, 100, 100, p95Ms / 2, p95Ms, p95Ms, settings, 10, 2);
  }

  @Test
  void unmeasuredCapacityTiesAndLeavesItToTheP95() {
    assertThat(JUDGE.byCapacity(Double.NaN, 100)).isZero();
    assertThat(JUDGE.compare(step(64, 20, 100, Double.NaN), step(256, 40, 100, 400))).isPositive();
  }
}

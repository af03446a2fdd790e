package io.deeprec.sched;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.Test;

/** The climb alone, on a ladder of five rungs whose measurements are given. */
class ClimbTest {
  private static final StepJudge JUDGE = new StepJudge(100, 0.05, 0.10);
  private static final List<BatchSettings> LADDER = List.of(
      new BatchSettings(1024, 0, 0), new BatchSettings(256, 0, 0), new BatchSettings(128, 0, 0),
      new BatchSettings(64, 0, 0), new BatchSettings(32, 0, 0));
  private static final BiPredicate<BatchSettings, MeasuredStep> SKIP_NONE = (rung, best) -> false;

  /** Runs a climb from {@code start} toward earlier rungs first; p95 per batch size, all with the same capacity. */
  private static List<Integer> climb(int start, Map<Integer, Double> p95ByBatch, int plateauSteps,
      BiPredicate<BatchSettings, MeasuredStep> skip) {
    BatchSettings startAt = new BatchSettings(start, 0, 0);
    Climb climb = new Climb(LADDER, startAt, -1, null, plateauSteps);
    List<Integer> measured = new ArrayList<>();
    for (BatchSettings next = climb.first(skip); next != null; ) {
      measured.add(next.batchSize());
      next = climb.onMeasured(new MeasuredStep(next, p95ByBatch.get(next.batchSize()), 50, 10, 400), JUDGE, skip);
    }
    measured.add(-climb.best().settings().batchSize());
    return measured;
  }

  @Test
  void walksWhileBetterAndTurnsBackOnlyWhenTheFirstDirectionFoundNothing() {
    Map<Integer, Double> valleyAt64 = Map.of(1024, 400.0, 256, 300.0, 128, 200.0, 64, 120.0, 32, 150.0);
    // From 256 toward larger: 1024 is worse, so it turns, and walks down to 64 (32 is worse).
    assertThat(climb(256, valleyAt64, 0, SKIP_NONE)).containsExactly(256, 1024, 128, 64, 32, -64);
    // From 1024 nothing is larger: it turns at once and walks down to the valley.
    assertThat(climb(1024, valleyAt64, 0, SKIP_NONE)).containsExactly(1024, 256, 128, 64, 32, -64);
  }

  @Test
  void walksThroughAtMostPlateauStepsTiesInARow() {
    Map<Integer, Double> plateau = Map.of(1024, 200.0, 256, 200.0, 128, 200.0, 64, 120.0, 32, 150.0);
    assertThat(climb(1024, plateau, 0, SKIP_NONE)).containsExactly(1024, 256, -1024);
    assertThat(climb(1024, plateau, 2, SKIP_NONE)).containsExactly(1024, 256, 128, 64, 32, -64);
  }

  @Test
  void stepsOverRungsItIsToldCannotWin() {
    Map<Integer, Double> valleyAt64 = Map.of(1024, 400.0, 256, 300.0, 128, 200.0, 64, 120.0, 32, 150.0);
    BiPredicate<BatchSettings, MeasuredStep> skip128 = (rung, best) -> rung.batchSize() == 128;
    assertThat(climb(1024, valleyAt64, 0, skip128)).containsExactly(1024, 256, 64, 32, -64);
  }
}

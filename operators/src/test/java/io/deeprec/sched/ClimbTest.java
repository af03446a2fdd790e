package io.deeprec.sched;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;
import java.util.function.Function;
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
    return walk(new Climb(LADDER, new BatchSettings(start, 0, 0), -1, null, plateauSteps, false, false, false), skip,
        p95ByBatch);
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

  @Test
  void aRungThatCannotWinEndsTheDirectionWhenLosersEndIt() {
    Map<Integer, Double> valleyAt64 = Map.of(1024, 400.0, 256, 300.0, 128, 200.0, 64, 120.0, 32, 150.0);
    Map<Integer, Double> flat = Map.of(1024, 200.0, 256, 200.0, 128, 200.0, 64, 200.0, 32, 200.0);
    BiPredicate<BatchSettings, MeasuredStep> skip128 = (rung, best) -> rung.batchSize() == 128;
    // From 256: 1024 is worse, so it turns; 128 cannot win, and the rungs past it are not measured.
    assertThat(walk(new Climb(LADDER, LADDER.get(1), -1, null, 0, false, true, false), skip128, valleyAt64))
        .containsExactly(256, 1024, -256);
    // Stepped over, as by default, 64 and 32 are measured.
    assertThat(walk(new Climb(LADDER, LADDER.get(1), -1, null, 0, false, false, false), skip128, valleyAt64))
        .containsExactly(256, 1024, 64, 32, -64);
    // From 1024 toward smaller, through a tie: the loser ends the walk there too.
    assertThat(walk(new Climb(LADDER, LADDER.get(0), 1, null, 2, false, true, false), skip128, flat))
        .containsExactly(1024, 256, -1024);
  }

  @Test
  void withConfirmWinsAWinCountsOnlyAgainstTheBestMeasuredBeforeAndAfterIt() {
    // A machine getting faster: every measurement is 20% cheaper than the one before, whatever the rung.
    // Measured one after the other, each rung beats the one before on the drift alone.
    double[] p95 = {200};
    Function<BatchSettings, MeasuredStep> warming = rung -> {
      p95[0] *= 0.8;
      return new MeasuredStep(rung, p95[0], 50, 10, 400);
    };
    assertThat(walk(new Climb(LADDER, LADDER.get(0), 1, null, 0, false, false, false), warming)).containsExactly(1024, 256, 128, 64,
        32, -32);
    p95[0] = 200;
    // Around it: 256 (p95 128) beats 1024 (160), so 1024 is measured again (102); against the mean of 1024's two
    // measurements (131) 256 only ties, and the climb ends there.
    assertThat(walk(new Climb(LADDER, LADDER.get(0), 1, null, 0, true, false, false), warming)).containsExactly(1024, 256, 1024,
        -1024);
  }

  @Test
  void withConfirmWinsARealWinSurvivesTheBestMeasuredAgain() {
    Map<Integer, Double> valleyAt64 = Map.of(1024, 400.0, 256, 300.0, 128, 200.0, 64, 120.0, 32, 150.0);
    Climb climb = new Climb(LADDER, LADDER.get(0), 1, null, 0, true, false, false);
    assertThat(walk(climb, rung -> new MeasuredStep(rung, valleyAt64.get(rung.batchSize()), 50, 10, 400)))
        .containsExactly(1024, 256, 1024, 128, 256, 64, 128, 32, -64);
  }

  @Test
  void withTiesToTheLargerBatchTheClimbKeepsTheLargestOfTiedRungsAndStillWalksOnThroughTies() {
    Map<Integer, Double> flat = Map.of(1024, 200.0, 256, 200.0, 128, 200.0, 64, 200.0, 32, 200.0);
    Map<Integer, Double> plateauThenValley = Map.of(1024, 200.0, 256, 200.0, 128, 200.0, 64, 120.0, 32, 150.0);

    // By default the start keeps every tie.
    assertThat(walk(new Climb(LADDER, LADDER.get(2), -1, null, 2, false, false, false), SKIP_NONE, flat))
        .containsExactly(128, 256, 1024, 64, 32, -128);
    // Tied rungs with larger batches take the start's place; as nothing beat it, the other side is walked too.
    assertThat(walk(new Climb(LADDER, LADDER.get(2), -1, null, 2, false, false, true), SKIP_NONE, flat))
        .containsExactly(128, 256, 1024, 64, 32, -1024);
    // Ties toward smaller batches leave the best as it is, and a clear win beyond them still takes it.
    assertThat(walk(new Climb(LADDER, LADDER.get(0), 1, null, 2, false, false, true), SKIP_NONE, flat))
        .containsExactly(1024, 256, 128, 64, -1024);
    assertThat(walk(new Climb(LADDER, LADDER.get(0), 1, null, 2, false, false, true), SKIP_NONE, plateauThenValley))
        .containsExactly(1024, 256, 128, 64, 32, -64);
  }

  /** The settings a climb measures, skipping what {@code skip} says, then its best (negated); p95 per batch size. */
  private static List<Integer> walk(Climb climb, BiPredicate<BatchSettings, MeasuredStep> skip,
      Map<Integer, Double> p95ByBatch) {
    return walk(climb, skip, rung -> new MeasuredStep(rung, p95ByBatch.get(rung.batchSize()), 50, 10, 400));
  }

  /** The settings a climb measures, then its best (negated), each measurement taken from {@code measure}. */
  private static List<Integer> walk(Climb climb, Function<BatchSettings, MeasuredStep> measure) {
    return walk(climb, SKIP_NONE, measure);
  }

  private static List<Integer> walk(Climb climb, BiPredicate<BatchSettings, MeasuredStep> skip,
      Function<BatchSettings, MeasuredStep> measure) {
    List<Integer> measured = new ArrayList<>();
    for (BatchSettings next = climb.first(skip); next != null; ) {
      measured.add(next.batchSize());
      next = climb.onMeasured(measure.apply(next), JUDGE, skip);
    }
    measured.add(-climb.best().settings().batchSize());
    return measured;
  }
}

package io.deeprec.sched;

import java.io.Serializable;
import java.util.List;
import java.util.function.BiPredicate;

/**
 * One hill climb over a ladder of settings: measure the start, walk one way while the judge finds each rung
 * better (or, for up to {@code plateauSteps} rungs in a row, tied), and walk the other way from the start only
 * when the first direction found nothing better. The result is the best rung measured.
 *
 * <p>With {@code confirmWins}, a rung that beats the best is not taken on its own measurement: the best is
 * measured again right after it, and the rung must beat the mean of the best's measurements before and after
 * it. Rungs measured one after the other on a machine that is getting faster (a cold start) each look better
 * than the one before; measured around the rung, the best carries the same drift (to first order), and a stall
 * in one of the best's measurements counts half.
 */
final class Climb implements Serializable {
  private static final long serialVersionUID = 1L;

  private final List<BatchSettings> ladder;
  private final int start;
  private final int plateauSteps;
  private final boolean confirmWins;
  private final boolean losersEndDirection;
  private final boolean tiesToLargerBatch;
  private int position;
  private int direction;
  private boolean turned;
  /** Whether a rung beat the best (not only tied it) since the climb began. */
  private boolean improved;
  private int tiesInARow;
  private MeasuredStep best;
  /** A rung that beat the best, waiting for the best's measurement again; null when none. */
  private MeasuredStep challenger;

  /**
   * @param ladder the rungs in ladder order
   * @param startAt the rung to start from
   * @param firstDirection +1 to walk toward later rungs first, -1 toward earlier ones
   * @param knownStart the start's measurement when already known (it is then not measured again), else null
   * @param confirmWins whether a rung that beats the best wins only against the best measured before and again after it
   * @param losersEndDirection whether a rung that cannot win ends the walk in its direction (else it is stepped over)
   * @param tiesToLargerBatch whether a rung that ties the best with a larger batch size takes its place
   */
  Climb(List<BatchSettings> ladder, BatchSettings startAt, int firstDirection, MeasuredStep knownStart, int plateauSteps,
      boolean confirmWins, boolean losersEndDirection, boolean tiesToLargerBatch) {
    this.ladder = List.copyOf(ladder);
    this.start = ladder.indexOf(startAt);
    if (start < 0) {
      throw new IllegalArgumentException("start " + startAt + " is not a rung of " + ladder);
    }
    this.position = start;
    this.direction = firstDirection;
    this.best = knownStart;
    this.plateauSteps = plateauSteps;
    this.confirmWins = confirmWins;
    this.losersEndDirection = losersEndDirection;
    this.tiesToLargerBatch = tiesToLargerBatch;
  }

  /**
   * A climb by the policy's parameters: {@code plateauSteps}, {@code confirmWins}, {@code losersEndDirection},
   * {@code tiesToLargerBatch}.
   */
  Climb(List<BatchSettings> ladder, BatchSettings startAt, int firstDirection, MeasuredStep knownStart,
      SchedParameters parameters) {
    this(ladder, startAt, firstDirection, knownStart, parameters.plateauSteps(), parameters.confirmWins(),
        parameters.losersEndDirection(), parameters.tiesToLargerBatch());
  }

  /**
   * The first setting to measure; null when there is none (the start is known and has no neighbour).
   *
   * @param skip rungs not worth measuring against the best so far (rung, best) -> skip
   */
  BatchSettings first(BiPredicate<BatchSettings, MeasuredStep> skip) {
    return best == null ? ladder.get(start) : advance(skip);
  }

  /**
   * Records the measurement of the setting last returned (a rung, or the best measured again); returns the next
   * to measure, null when done.
   */
  BatchSettings onMeasured(MeasuredStep step, StepJudge judge, BiPredicate<BatchSettings, MeasuredStep> skip) {
    int verdict;
    if (challenger != null) {
      // The best measured before and after the rung: a drift between the measurements cancels out.
      verdict = judge.compare(challenger, MeasuredStep.around(best, step));
      best = step;
      step = challenger;
      challenger = null;
    } else {
      verdict = best == null ? 1 : judge.compare(step, best);
      if (verdict > 0 && confirmWins && best != null) {
        challenger = step;
        return best.settings();
      }
    }
    if (verdict > 0) {
      improved |= best != null;
      best = step;
      tiesInARow = 0;
      return advance(skip);
    }
    if (verdict == 0 && tiesToLargerBatch && step.settings().batchSize() > best.settings().batchSize()) {
      best = step;
    }
    if (verdict == 0 && ++tiesInARow <= plateauSteps) {
      return advance(skip);
    }
    return turnOrStop(skip);
  }

  MeasuredStep best() {
    return best;
  }

  /** Whether the setting to measure next is the best again, against a rung that beat it. */
  boolean confirming() {
    return challenger != null;
  }

  private BatchSettings advance(BiPredicate<BatchSettings, MeasuredStep> skip) {
    int next = position + direction;
    while (next >= 0 && next < ladder.size() && skip.test(ladder.get(next), best)) {
      if (losersEndDirection) {
        return turnOrStop(skip);
      }
      next += direction;
    }
    if (next < 0 || next >= ladder.size()) {
      return turnOrStop(skip);
    }
    position = next;
    return ladder.get(position);
  }

  private BatchSettings turnOrStop(BiPredicate<BatchSettings, MeasuredStep> skip) {
    if (turned || improved) {
      return null;
    }
    turned = true;
    tiesInARow = 0;
    direction = -direction;
    position = start;
    return advance(skip);
  }

  @Override
  public String toString() {
    return "climb(" + ladder.stream().map(s -> s.batchSize() + "/" + s.offloadThreshold()).toList() + ", best " + best + ")";
  }
}

package io.deeprec.job.load;

import io.deeprec.sched.sim.RateSchedule;
import java.util.SplittableRandom;

/**
 * The due times of an open-loop load: a seeded sequence of arrival times (ms from the start)
 * following a {@link RateSchedule} and an {@link ArrivalProcess}. Computed without any clock, so
 * the schedule itself can be checked exactly in tests; a sender then waits for each due time.
 * Where the rate changes the pending gap is redrawn at the new rate (exact for Poisson arrivals,
 * which are memoryless), and a rate of 0 sends nothing until the next change.
 */
public final class ArrivalSchedule {
  private final RateSchedule rates;
  private final ArrivalProcess process;
  private final SplittableRandom random;
  private double lastMs;

  public ArrivalSchedule(RateSchedule rates, ArrivalProcess process, long seed) {
    this.rates = rates;
    this.process = process;
    this.random = new SplittableRandom(seed ^ 0x5DEECE66DL);
  }

  /** The next due time, ms from the start (non-decreasing; +infinity if the rate stays 0 forever). */
  public double nextDueMs() {
    double t = lastMs;
    while (true) {
      double qps = rates.qpsAt(t);
      double change = rates.nextChangeAfter(t);
      if (qps > 0) {
        double due = t + process.nextGapMs(random, qps);
        if (due < change) {
          lastMs = due;
          return due;
        }
      }
      if (Double.isInfinite(change)) {
        lastMs = Double.POSITIVE_INFINITY;
        return lastMs;
      }
      t = change;
    }
  }

  public RateSchedule rates() {
    return rates;
  }

  public ArrivalProcess process() {
    return process;
  }
}

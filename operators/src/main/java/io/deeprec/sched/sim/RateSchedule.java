package io.deeprec.sched.sim;

import java.util.Arrays;

/**
 * Offered load over time, piecewise constant: {@code rates[i]} queries/s from {@code startsMs[i]}
 * until the next start (the first start is 0). Poisson arrivals are memoryless, so the simulator
 * redraws the gap at each change.
 */
public final class RateSchedule {
  private final double[] startsMs;
  private final double[] ratesQps;

  private RateSchedule(double[] startsMs, double[] ratesQps) {
    if (startsMs.length == 0 || startsMs.length != ratesQps.length || startsMs[0] != 0) {
      throw new IllegalArgumentException("a schedule needs matching starts and rates, the first starting at 0 ms");
    }
    for (int i = 0; i < startsMs.length; i++) {
      if (ratesQps[i] < 0 || Double.isNaN(ratesQps[i])) {
        throw new IllegalArgumentException("rates must be >= 0 queries/s: " + ratesQps[i]);
      }
      if (i > 0 && !(startsMs[i] > startsMs[i - 1])) {
        throw new IllegalArgumentException("starts must increase: " + Arrays.toString(startsMs));
      }
    }
    this.startsMs = startsMs.clone();
    this.ratesQps = ratesQps.clone();
  }

  /** {@code qps} queries/s forever. */
  public static RateSchedule constant(double qps) {
    return new RateSchedule(new double[] {0}, new double[] {qps});
  }

  /** {@code beforeQps} until {@code atMs}, then {@code afterQps}: a load step. */
  public static RateSchedule step(double beforeQps, double atMs, double afterQps) {
    return new RateSchedule(new double[] {0, atMs}, new double[] {beforeQps, afterQps});
  }

  /** Piecewise constant: {@code ratesQps[i]} from {@code startsMs[i]}; {@code startsMs[0]} must be 0. */
  public static RateSchedule piecewise(double[] startsMs, double[] ratesQps) {
    return new RateSchedule(startsMs, ratesQps);
  }

  /** Offered queries/s at {@code timeMs}. */
  public double qpsAt(double timeMs) {
    return ratesQps[segment(timeMs)];
  }

  /** The first change strictly after {@code timeMs}, or +infinity. */
  public double nextChangeAfter(double timeMs) {
    int next = segment(timeMs) + 1;
    return next < startsMs.length ? startsMs[next] : Double.POSITIVE_INFINITY;
  }

  /** This schedule with every rate multiplied by {@code factor}. */
  public RateSchedule scaled(double factor) {
    double[] scaled = ratesQps.clone();
    for (int i = 0; i < scaled.length; i++) {
      scaled[i] *= factor;
    }
    return new RateSchedule(startsMs, scaled);
  }

  private int segment(double timeMs) {
    int i = 0;
    while (i + 1 < startsMs.length && startsMs[i + 1] <= timeMs) {
      i++;
    }
    return i;
  }

  @Override
  public String toString() {
    return "RateSchedule(startsMs=" + Arrays.toString(startsMs) + ", qps=" + Arrays.toString(ratesQps) + ")";
  }
}

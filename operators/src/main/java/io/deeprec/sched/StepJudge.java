package io.deeprec.sched;

import java.io.Serializable;

/**
 * DeepRecSched's objective as a comparison of two measured settings under the same load: one that meets the
 * p95 target beats one that misses it; between two that meet it, the one with clearly more measured capacity
 * wins (it holds the target to the highest load, which is the latency-bounded throughput). Between two that
 * miss it, the same when either runs saturated (its completed load within the margin of its capacity: the
 * p95 is then a backlog, and only more capacity drains it). Otherwise the clearly lower p95 wins: with equal
 * capacity it leaves more headroom under the target, and below saturation a miss is the service's latency,
 * which the lower p95 is closer to curing. Anything else is a tie.
 *
 * @param targetP95Ms the model's p95 target (ms)
 * @param capacityMargin relative capacity difference below which two settings tie
 * @param p95Band relative p95 difference below which two settings tie
 * @param missesByCapacity whether capacity decides between two misses whether or not either runs saturated
 * @param saturatedByCapacityOnly whether, between two misses while either runs saturated, a capacity tie stays a
 *     tie (the p95 then measures the backlog's course over the step, not the setting)
 */
record StepJudge(double targetP95Ms, double capacityMargin, double p95Band, boolean missesByCapacity,
    boolean saturatedByCapacityOnly) implements Serializable {

  StepJudge(double targetP95Ms, double capacityMargin, double p95Band) {
    this(targetP95Ms, capacityMargin, p95Band, false, false);
  }

  /** +1: {@code step} is better than {@code incumbent}; -1: worse; 0: a tie. */
  int compare(MeasuredStep step, MeasuredStep incumbent) {
    boolean meets = meets(step);
    if (meets != meets(incumbent)) {
      return meets ? 1 : -1;
    }
    int byCapacity = byCapacity(step.capacityQps(), incumbent.capacityQps());
    boolean backlog = !meets && (saturated(step) || saturated(incumbent));
    if (byCapacity != 0 && (meets || missesByCapacity || backlog)) {
      return byCapacity;
    }
    if (backlog && saturatedByCapacityOnly) {
      return 0;
    }
    if (step.p95Ms() < incumbent.p95Ms() * (1 - p95Band)) {
      return 1;
    }
    return step.p95Ms() > incumbent.p95Ms() * (1 + p95Band) ? -1 : 0;
  }

  /** Whether the step completed its load within the margin of its capacity. */
  boolean saturated(MeasuredStep step) {
    return step.qps() >= (1 - capacityMargin) * step.capacityQps();
  }

  boolean meets(MeasuredStep step) {
    return step.p95Ms() <= targetP95Ms;
  }

  /** +1 / -1: {@code here} is clearly more / less than {@code there}; 0 within the margin or when either is unknown. */
  int byCapacity(double here, double there) {
    if (Double.isNaN(here) || Double.isNaN(there)) {
      return 0;
    }
    if (here > there * (1 + capacityMargin)) {
      return 1;
    }
    return here < there * (1 - capacityMargin) ? -1 : 0;
  }
}

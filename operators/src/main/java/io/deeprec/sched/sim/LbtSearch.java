package io.deeprec.sched.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleFunction;

/**
 * Finds the latency-bounded throughput: the highest rate whose probe is feasible. A log grid
 * brackets the answer (multiply or divide the rate by {@code growth}, the step squared after each
 * step that finds nothing new, up to {@value #MAX_STEP}x, so that a start far from the answer is
 * corrected in a few probes), then bisection narrows the bracket to the relative precision, as
 * perf_analyzer's and MLPerf's server-scenario searches do. A rate fails only when {@code strikes}
 * probes of it in a row miss: on a noisy machine one stall must not decide it.
 * Any probe function works (the product, the in-process harness, the serving simulator), so all are searched alike.
 */
public final class LbtSearch {
  /** The product benchmark's grid factor ({@code deeprec bench}'s default). */
  public static final double PRODUCT_GROWTH = 1.25;
  /** The product benchmark's precision: fine enough to tell the contenders apart, a few probes per search. */
  public static final double PRODUCT_PRECISION = 0.04;
  /** The product benchmark's strikes: a rate fails when two probes of it in a row miss. */
  public static final int PRODUCT_STRIKES = 2;
  private static final int MAX_GRID_STEPS = 12;
  private static final double MAX_STEP = 4;

  /** What the search needs of a probe. */
  public interface Outcome {
    /** The rate the probe offered. */
    double askedQps();

    /** Whether it met the target. */
    boolean feasible();
  }

  private final double growth;
  private final double relativePrecision;
  private final double minQps;
  private final int strikes;

  /** A search in which one missed probe fails a rate. */
  public LbtSearch(double growth, double relativePrecision, double minQps) {
    this(growth, relativePrecision, minQps, 1);
  }

  /**
   * @param growth factor between grid rates, > 1
   * @param relativePrecision stop bisecting when (high - low) / high is below this, in (0, 1)
   * @param minQps give up (LBT 0) below this rate, > 0
   * @param strikes probes in a row that must miss before a rate fails, >= 1
   */
  public LbtSearch(double growth, double relativePrecision, double minQps, int strikes) {
    if (!(growth > 1) || !(relativePrecision > 0 && relativePrecision < 1) || !(minQps > 0) || strikes < 1) {
      throw new IllegalArgumentException("need growth > 1, precision in (0, 1), minQps > 0, strikes >= 1: " + growth
          + ", " + relativePrecision + ", " + minQps + ", " + strikes);
    }
    this.growth = growth;
    this.relativePrecision = relativePrecision;
    this.minQps = minQps;
    this.strikes = strikes;
  }

  /**
   * The search's answer.
   *
   * @param lbtQps highest feasible rate found, 0 if none
   * @param atLbt the feasible probe at that rate (null if none)
   * @param probes every probe in the order run, each strike included
   */
  public record Result<P extends Outcome>(double lbtQps, P atLbt, List<P> probes) {}

  public <P extends Outcome> Result<P> search(double startQps, DoubleFunction<P> probe) {
    List<P> probes = new ArrayList<>();
    P low = null;
    P high = null;
    P first = run(probe, startQps, probes);
    if (first.feasible()) {
      low = first;
    } else {
      high = first;
    }
    double step = growth;
    for (int i = 0; i < MAX_GRID_STEPS && (low == null || high == null); i++, step = Math.min(MAX_STEP, step * step)) {
      if (low == null) {
        if (high.askedQps() <= minQps) {
          break;
        }
        P p = run(probe, Math.max(minQps, high.askedQps() / step), probes);
        if (p.feasible()) {
          low = p;
        } else {
          high = p;
        }
      } else {
        P p = run(probe, low.askedQps() * step, probes);
        if (p.feasible()) {
          low = p;
        } else {
          high = p;
        }
      }
    }
    if (low == null) {
      return new Result<>(0, null, probes);
    }
    while (high != null && (high.askedQps() - low.askedQps()) / high.askedQps() > relativePrecision) {
      P p = run(probe, Math.sqrt(low.askedQps() * high.askedQps()), probes);
      if (p.feasible()) {
        low = p;
      } else {
        high = p;
      }
    }
    return new Result<>(low.askedQps(), low, probes);
  }

  /** Probes a rate up to {@code strikes} times, until one probe is feasible; returns the last. */
  private <P extends Outcome> P run(DoubleFunction<P> probe, double qps, List<P> probes) {
    P p = null;
    for (int strike = 0; strike < strikes && (p == null || !p.feasible()); strike++) {
      p = probe.apply(qps);
      probes.add(p);
    }
    return p;
  }
}

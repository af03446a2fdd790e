package io.deeprec.job.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleFunction;

/**
 * Finds the latency-bounded throughput: the highest rate whose probe is feasible. A log grid
 * brackets the answer (multiply or divide the rate by {@code growth}, the step squared after each
 * step that finds nothing new, up to {@value #MAX_STEP}x, so that a start far from the answer is
 * corrected in a few probes), then bisection narrows the bracket to the relative precision, as
 * perf_analyzer's and MLPerf's server-scenario searches do.
 * Any probe function works (in-process harness, Flink + Kafka), so both paths are searched alike.
 */
public final class LbtSearch {
  private static final int MAX_GRID_STEPS = 12;
  private static final double MAX_STEP = 4;

  private final double growth;
  private final double relativePrecision;
  private final double minQps;

  /**
   * @param growth factor between grid rates, > 1
   * @param relativePrecision stop bisecting when (high - low) / high is below this, in (0, 1)
   * @param minQps give up (LBT 0) below this rate, > 0
   */
  public LbtSearch(double growth, double relativePrecision, double minQps) {
    if (!(growth > 1) || !(relativePrecision > 0 && relativePrecision < 1) || !(minQps > 0)) {
      throw new IllegalArgumentException("need growth > 1, precision in (0, 1), minQps > 0: " + growth + ", "
          + relativePrecision + ", " + minQps);
    }
    this.growth = growth;
    this.relativePrecision = relativePrecision;
    this.minQps = minQps;
  }

  /**
   * The search's answer.
   *
   * @param lbtQps highest feasible rate found, 0 if none
   * @param atLbt the feasible probe at that rate (null if none)
   * @param probes every probe in the order run
   */
  public record Result(double lbtQps, Probe atLbt, List<Probe> probes) {}

  public Result search(double startQps, DoubleFunction<Probe> probe) {
    List<Probe> probes = new ArrayList<>();
    Probe low = null;
    Probe high = null;
    Probe first = run(probe, startQps, probes);
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
        Probe p = run(probe, Math.max(minQps, high.askedQps() / step), probes);
        if (p.feasible()) {
          low = p;
        } else {
          high = p;
        }
      } else {
        Probe p = run(probe, low.askedQps() * step, probes);
        if (p.feasible()) {
          low = p;
        } else {
          high = p;
        }
      }
    }
    if (low == null) {
      return new Result(0, null, probes);
    }
    while (high != null && (high.askedQps() - low.askedQps()) / high.askedQps() > relativePrecision) {
      Probe p = run(probe, Math.sqrt(low.askedQps() * high.askedQps()), probes);
      if (p.feasible()) {
        low = p;
      } else {
        high = p;
      }
    }
    return new Result(low.askedQps(), low, probes);
  }

  private static Probe run(DoubleFunction<Probe> probe, double qps, List<Probe> probes) {
    Probe p = probe.apply(qps);
    probes.add(p);
    return p;
  }
}

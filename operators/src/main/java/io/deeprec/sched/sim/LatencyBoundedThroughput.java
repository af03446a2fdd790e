package io.deeprec.sched.sim;

import io.deeprec.sched.BatchPolicy;
import io.deeprec.sched.BatchSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Finds a policy's latency-bounded throughput (LBT) in the simulator: the highest constant arrival
 * rate whose p95 query latency, over the measured queries after the warm-up, stays at or under the
 * target. Each probed rate runs a fresh policy from the supplier on the same seeded workload, so
 * adaptive policies get the warm-up to converge and are judged on what they converged to.
 *
 * <p>Search: from a starting rate, double (or halve) until the target is bracketed, then bisect
 * until the bracket is narrower than the relative precision. The p95 of a finite run is noisy, so
 * the answer is as precise as the run lengths allow, not the bisection.
 */
public final class LatencyBoundedThroughput {

  private static final int MAX_BRACKETING_STEPS = 30;

  private LatencyBoundedThroughput() {}

  /**
   * One probed rate.
   *
   * @param qps offered load
   * @param result what the run measured
   * @param feasible whether its p95 met the target
   */
  public record Probe(double qps, SimulationResult result, boolean feasible) {}

  /**
   * The search's answer.
   *
   * @param lbtQps highest feasible rate found; 0 if even the lowest probe missed the target
   * @param atLbt the run at that rate (null when none was feasible)
   * @param probes every rate tried, in order
   */
  public record Result(double lbtQps, SimulationResult atLbt, List<Probe> probes) {
    /** The settings the policy ended with at the LBT (what an adaptive policy converged to). */
    public BatchSettings settingsAtLbt() {
      return atLbt == null ? null : atLbt.finalSettings();
    }
  }

  /**
   * @param simulator the workload and servers; its rate is replaced by each probe's
   * @param policies a fresh policy per probe
   * @param targetP95Ms the latency bound (ms)
   * @param startQps first rate to try, > 0 (a guess near the answer saves probes)
   * @param relativePrecision stop when (high - low) / high is below this, in (0, 1)
   */
  public static Result search(
      ServingSimulator simulator, Supplier<? extends BatchPolicy> policies, double targetP95Ms, double startQps, double relativePrecision) {
    if (!(targetP95Ms > 0) || !(startQps > 0) || !(relativePrecision > 0 && relativePrecision < 1)) {
      throw new IllegalArgumentException(
          "need targetP95Ms > 0, startQps > 0, relativePrecision in (0, 1): " + targetP95Ms + ", " + startQps + ", " + relativePrecision);
    }
    List<Probe> probes = new ArrayList<>();
    Probe low = null;
    Probe high = null;
    Probe first = probe(simulator, policies, targetP95Ms, startQps, probes);
    if (first.feasible()) {
      low = first;
      for (int i = 0; i < MAX_BRACKETING_STEPS && high == null; i++) {
        Probe next = probe(simulator, policies, targetP95Ms, low.qps() * 2, probes);
        if (next.feasible()) {
          low = next;
        } else {
          high = next;
        }
      }
    } else {
      high = first;
      for (int i = 0; i < MAX_BRACKETING_STEPS && low == null; i++) {
        Probe next = probe(simulator, policies, targetP95Ms, high.qps() / 2, probes);
        if (next.feasible()) {
          low = next;
        } else {
          high = next;
        }
      }
    }
    if (low == null) {
      return new Result(0.0, null, probes);
    }
    if (high == null) {
      return new Result(low.qps(), low.result(), probes);
    }
    while ((high.qps() - low.qps()) / high.qps() > relativePrecision) {
      Probe middle = probe(simulator, policies, targetP95Ms, (low.qps() + high.qps()) / 2, probes);
      if (middle.feasible()) {
        low = middle;
      } else {
        high = middle;
      }
    }
    return new Result(low.qps(), low.result(), probes);
  }

  private static Probe probe(
      ServingSimulator simulator, Supplier<? extends BatchPolicy> policies, double targetP95Ms, double qps, List<Probe> probes) {
    SimulationResult result = simulator.withRate(qps).run(policies.get());
    Probe probe = new Probe(qps, result, result.p95Ms() <= targetP95Ms);
    probes.add(probe);
    return probe;
  }
}

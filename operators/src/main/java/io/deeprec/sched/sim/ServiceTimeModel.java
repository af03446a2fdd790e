package io.deeprec.sched.sim;

import io.deeprec.sched.LatencyCurve;
import java.util.Map;

/** How long (ms) one server takes to run one inference request of a given batch size. */
@FunctionalInterface
public interface ServiceTimeModel {

  /** Service time (ms) of one request of {@code batchItems} items, >= 1. */
  double serviceMs(int batchItems);

  /**
   * {@code fixedMs + perItemMs * b}: the back-of-envelope cost model of DESIGN.md. A large fixed
   * cost per call (embedding-bound models: many table lookups set up per call) favours large
   * batches; a cost dominated by the per-item term (MLP-bound models) favours splitting.
   */
  static ServiceTimeModel linear(double fixedMs, double perItemMs) {
    return new Linear(fixedMs, perItemMs);
  }

  /** A measured batch-size to latency table, log-interpolated (see {@link LatencyCurve}). */
  static ServiceTimeModel table(Map<Integer, Double> batchToMs) {
    LatencyCurve curve = new LatencyCurve(batchToMs);
    return curve::latencyMs;
  }

  /** The same service time whatever the batch size. */
  static ServiceTimeModel constant(double ms) {
    return linear(ms, 0);
  }

  /** See {@link ServiceTimeModel#linear}. */
  record Linear(double fixedMs, double perItemMs) implements ServiceTimeModel {
    public Linear {
      if (fixedMs < 0 || perItemMs < 0 || fixedMs + perItemMs <= 0) {
        throw new IllegalArgumentException("need fixedMs >= 0, perItemMs >= 0, not both 0: " + fixedMs + ", " + perItemMs);
      }
    }

    @Override
    public double serviceMs(int batchItems) {
      return fixedMs + perItemMs * batchItems;
    }
  }
}

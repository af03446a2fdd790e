package io.deeprec.flink;

import io.deeprec.sched.BatchPolicy;
import io.deeprec.sched.BatchSettings;
import io.deeprec.sched.QuerySizeAware;
import io.deeprec.sched.WindowObservation;
import io.deeprec.schema.ControlDecision;
import io.deeprec.schema.DecisionSource;
import io.deeprec.schema.MetricsSnapshot;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.InstantiationUtil;

/**
 * The controller of the feedback loop, keyed by model: feeds each window of the metrics topic to the
 * model's adaptive {@link BatchPolicy} (DeepRecSched, AIMD) and emits a {@link ControlDecision}
 * whenever the policy changes its settings; the decisions go to the control topic, which is
 * broadcast into the batchers. A manual pin on the control topic stops adaptation of that model
 * until it is released.
 *
 * <p>The policies' learning state lives in this operator's memory, not in checkpoints: after a
 * restart a policy explores again from its seed, which costs a few windows and nothing else.
 */
public class PolicyController extends KeyedCoProcessFunction<String, MetricsSnapshot, ControlDecision, ControlDecision> {
  private static final long serialVersionUID = 1L;

  private final HashMap<String, BatchPolicy> initialPolicies;

  private transient Map<String, BatchPolicy> policies;
  private transient Set<String> pinned;

  /** @param policies each served model's policy as configured; only adaptive ones are driven */
  public PolicyController(Map<String, BatchPolicy> policies) {
    this.initialPolicies = new HashMap<>(policies);
  }

  @Override
  public void open(OpenContext openContext) throws Exception {
    policies = new HashMap<>();
    for (Map.Entry<String, BatchPolicy> entry : initialPolicies.entrySet()) {
      // A private copy per subtask: policies keep mutable learning state.
      policies.put(entry.getKey(), InstantiationUtil.clone(entry.getValue(), getClass().getClassLoader()));
    }
    pinned = new HashSet<>();
  }

  @Override
  public void processElement1(MetricsSnapshot window, Context ctx, Collector<ControlDecision> out) {
    String model = window.getModel();
    BatchPolicy policy = policies.get(model);
    // Readiness announcements (event != null) share the metrics topic but are not windows.
    if (policy == null || !policy.adaptive() || pinned.contains(model) || window.getOkCount() == 0
        || window.getEvent() != null) {
      return;
    }
    if (policy instanceof QuerySizeAware sizeAware && window.getMaxQueryItems() > 0) {
      sizeAware.observeQuerySizes(window.getMeanQueryItems(), window.getMaxQueryItems());
    }
    BatchSettings before = policy.settings();
    // The metrics topic carries 0 for "not measured"; a policy expects NaN there.
    double workMsPerQuery = window.getWorkMsPerQuery() > 0 ? window.getWorkMsPerQuery() : Double.NaN;
    BatchSettings after = policy.observe(new WindowObservation(window.getWindowEndMs(), window.getOkCount(),
        window.getQps(), window.getP50Ms(), window.getP95Ms(), window.getP99Ms(), before, workMsPerQuery));
    if (!after.equals(before)) {
      out.collect(ControlDecision.newBuilder()
          .setModel(model)
          .setBatchSize(after.batchSize())
          .setMaxQueueDelayMs(after.maxQueueDelayMs())
          .setOffloadThreshold(after.offloadThreshold())
          .setPolicy(policy.name())
          .setSource(DecisionSource.CONTROLLER)
          .setPinned(false)
          .setReason(String.format(Locale.ROOT, "window p95 %.1f ms at %.1f qps: batch %d -> %d, threshold %d -> %d",
              window.getP95Ms(), window.getQps(), before.batchSize(), after.batchSize(),
              before.offloadThreshold(), after.offloadThreshold()))
          .setTimestampMs(ctx.timerService().currentProcessingTime())
          .build());
    }
  }

  /** Watches the control topic for manual pins and releases. */
  @Override
  public void processElement2(ControlDecision decision, Context ctx, Collector<ControlDecision> out) {
    if (decision.getSource() != DecisionSource.MANUAL) {
      return;
    }
    if (decision.getPinned()) {
      pinned.add(decision.getModel());
    } else {
      pinned.remove(decision.getModel());
    }
  }
}

package io.deeprec.flink;

import io.deeprec.sched.BatchPolicy;
import io.deeprec.sched.BatchSettings;
import io.deeprec.sched.WindowObservation;
import io.deeprec.schema.ControlDecision;
import io.deeprec.schema.DecisionSource;
import io.deeprec.schema.MetricsSnapshot;
import io.deeprec.serving.PolicyFeedback;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
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
 * <p>Each window carries the settings that served its queries, and the {@link PolicyFeedback} rule
 * decides what the policy learns from it: nothing from a window served under older settings (its
 * queries were batched before the last decision reached the batchers, two Kafka hops away) or
 * under several.
 *
 * <p>The pin and each policy's learning state are keyed state: checkpointed, so after a failover a
 * pinned model stays pinned and a policy resumes where the checkpoint left it, consistent with the
 * batchers' broadcast state of the same checkpoint.
 */
public class PolicyController extends KeyedCoProcessFunction<String, MetricsSnapshot, ControlDecision, ControlDecision> {
  private static final long serialVersionUID = 1L;

  private final HashMap<String, BatchPolicy> initialPolicies;

  private transient ValueState<Boolean> pinned;
  /** The model's policy and its feedback rule, Java-serialized (policies keep mutable learning state). */
  private transient ValueState<byte[]> feedbackState;

  /** @param policies each served model's policy as configured; only adaptive ones are driven */
  public PolicyController(Map<String, BatchPolicy> policies) {
    this.initialPolicies = new HashMap<>(policies);
  }

  @Override
  public void open(OpenContext openContext) {
    pinned = getRuntimeContext().getState(new ValueStateDescriptor<>("pinned", Types.BOOLEAN));
    feedbackState = getRuntimeContext().getState(new ValueStateDescriptor<>("policy-feedback", byte[].class));
  }

  @Override
  public void processElement1(MetricsSnapshot window, Context ctx, Collector<ControlDecision> out) throws Exception {
    String model = window.getModel();
    BatchPolicy configured = initialPolicies.get(model);
    // Readiness announcements (event != null) share the metrics topic but are not windows.
    if (configured == null || !configured.adaptive() || Boolean.TRUE.equals(pinned.value())
        || window.getOkCount() == 0 || window.getEvent() != null) {
      return;
    }
    byte[] saved = feedbackState.value();
    // A private copy per key: policies keep mutable learning state.
    PolicyFeedback feedback = saved == null
        ? new PolicyFeedback(InstantiationUtil.clone(configured, getClass().getClassLoader()))
        : InstantiationUtil.deserializeObject(saved, getClass().getClassLoader());
    // The metrics topic carries 0 for "not measured"; a policy expects NaN there.
    double workMsPerQuery = window.getWorkMsPerQuery() > 0 ? window.getWorkMsPerQuery() : Double.NaN;
    PolicyFeedback.Step step = feedback.onWindow(new WindowObservation(window.getWindowEndMs(), window.getOkCount(),
        window.getQps(), window.getP50Ms(), window.getP95Ms(), window.getP99Ms(), appliedSettings(window),
        workMsPerQuery, window.getWorkers()), window.getMixedSettings(), window.getMeanQueryItems(),
        window.getMaxQueryItems());
    feedbackState.update(InstantiationUtil.serializeObject(feedback));
    if (step.settings() != null) {
      out.collect(decision(model, feedback.policy(), step.settings(), ctx, step.reason()));
    }
  }

  /** The settings that served a window's queries, as the metrics topic reports them; null when unknown. */
  static BatchSettings appliedSettings(MetricsSnapshot window) {
    if (window.getBatchSize() < 1 || window.getBatchSize() > BatchSettings.MAX_BATCH
        || window.getMaxQueueDelayMs() < 0 || window.getOffloadThreshold() < 0) {
      return null;
    }
    return new BatchSettings(window.getBatchSize(), window.getMaxQueueDelayMs(), window.getOffloadThreshold());
  }

  private static ControlDecision decision(String model, BatchPolicy policy, BatchSettings settings, Context ctx,
      String reason) {
    return ControlDecision.newBuilder()
        .setModel(model)
        .setBatchSize(settings.batchSize())
        .setMaxQueueDelayMs(settings.maxQueueDelayMs())
        .setOffloadThreshold(settings.offloadThreshold())
        .setPolicy(policy.name())
        .setSource(DecisionSource.CONTROLLER)
        .setPinned(false)
        .setHolding(policy.converged())
        .setReason(reason)
        .setTimestampMs(ctx.timerService().currentProcessingTime())
        .build();
  }

  /** Watches the control topic for manual pins and releases. */
  @Override
  public void processElement2(ControlDecision decision, Context ctx, Collector<ControlDecision> out) throws Exception {
    if (decision.getSource() != DecisionSource.MANUAL) {
      return;
    }
    if (decision.getPinned()) {
      pinned.update(true);
    } else {
      pinned.clear();
    }
  }
}

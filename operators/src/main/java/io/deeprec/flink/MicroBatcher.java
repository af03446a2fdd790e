package io.deeprec.flink;

import io.deeprec.sched.BatchPolicy;
import io.deeprec.sched.BatchSettings;
import io.deeprec.serving.BatchingRules;
import io.deeprec.sched.QuerySplitter.Piece;
import io.deeprec.sched.SplitRule;
import io.deeprec.schema.CandidateFeatures;
import io.deeprec.schema.RecQuery;
import io.deeprec.schema.internal.InferenceRequest;
import io.deeprec.schema.internal.QuerySlice;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import io.deeprec.schema.ControlDecision;
import io.deeprec.schema.ModelRollout;
import io.deeprec.schema.internal.ControlRecord;
import io.deeprec.serving.RolloutSchedule;
import java.util.Objects;
import io.deeprec.schema.DecisionSource;

/**
 * Cuts the queries of one (model, shard) key into inference requests by the {@link BatchingRules}:
 * a query larger than the batch size is split so its parts run in parallel; when a queue delay is
 * allowed, partial requests wait (in checkpointed state) for items of later queries until full or
 * until a processing-time timer releases them; a query at or above the offload threshold goes whole
 * to the {@link #ACCELERATOR} side output.
 *
 * <p>The settings are the model's {@link BatchPolicy} until a {@link ControlDecision} for the model
 * arrives on the broadcast input (from the controller, or a manual override, which pins the model
 * until it is released).
 */
public class MicroBatcher extends KeyedBroadcastProcessFunction<String, RecQuery, ControlRecord, InferenceRequest> {
  private static final long serialVersionUID = 1L;
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(MicroBatcher.class);

  /** Latest decision per model (broadcast state, checkpointed). */
  public static final MapStateDescriptor<String, ControlDecision> CONTROL_STATE =
      new MapStateDescriptor<>("control-decisions", Types.STRING, new AvroTypeInfo<>(ControlDecision.class));

  /** Rollouts of external models' versions: per model, the latest ({@code model#latest}) and the one before. */
  public static final MapStateDescriptor<String, ModelRollout> ROLLOUT_STATE =
      new MapStateDescriptor<>("model-rollouts", Types.STRING, new AvroTypeInfo<>(ModelRollout.class));

  /** Whole queries for the accelerator path. */
  public static final OutputTag<InferenceRequest> ACCELERATOR =
      new OutputTag<>("accelerator-requests", new AvroTypeInfo<>(InferenceRequest.class));

  private static final String LATEST = "#latest";
  private static final String PREVIOUS = "#previous";

  private final HashMap<String, BatchPolicy> policies;
  private final SplitRule split;

  private transient ListState<QuerySlice> pending;
  private transient ValueState<Integer> pendingItems;
  private transient ValueState<Long> releaseTimer;
  /** The settings the open request was opened under: it is released with them. */
  private transient ValueState<BatchSettings> pendingSettings;
  /** The version the open request's queries are scored by (null: the started model). */
  private transient ValueState<ModelRollout> pendingRollout;

  /**
   * @param policies the batch policy of every served model, by model id
   * @param split how a query is cut when requests are not merged
   */
  public MicroBatcher(Map<String, BatchPolicy> policies, SplitRule split) {
    this.policies = new HashMap<>(policies);
    this.split = java.util.Objects.requireNonNull(split, "split");
  }

  @Override
  public void open(OpenContext openContext) {
    pending = getRuntimeContext().getListState(
        new ListStateDescriptor<>("pending-slices", new AvroTypeInfo<>(QuerySlice.class)));
    pendingItems = getRuntimeContext().getState(new ValueStateDescriptor<>("pending-items", Integer.class));
    releaseTimer = getRuntimeContext().getState(new ValueStateDescriptor<>("release-timer", Long.class));
    pendingSettings = getRuntimeContext().getState(new ValueStateDescriptor<>("pending-settings", BatchSettings.class));
    pendingRollout = getRuntimeContext().getState(
        new ValueStateDescriptor<>("pending-rollout", new AvroTypeInfo<>(ModelRollout.class)));
  }

  @Override
  public void processElement(RecQuery query, ReadOnlyContext ctx, Collector<InferenceRequest> out) throws Exception {
    BatchSettings settings = settings(query.getModel(), ctx.getBroadcastState(CONTROL_STATE));
    long now = ctx.timerService().currentProcessingTime();
    int n = query.getCandidateIds().size();
    int waiting = pendingItems.value() == null ? 0 : pendingItems.value();
    RolloutSchedule rollouts = rollouts(query.getModel(), ctx.getBroadcastState(ROLLOUT_STATE));
    ModelRollout version = rollouts.inForce(now);
    if (waiting > 0 && !Objects.equals(pendingRollout.value(), version)) {
      // A version switch: the open request keeps its queries on the old version; none straddles both.
      release(query.getModel(), now, ctx, out);
      waiting = 0;
    }
    BatchingRules.Admission admission = BatchingRules.admit(n, waiting, pendingSettings.value(), settings, split);
    if (admission.offload()) {
      ctx.output(ACCELERATOR, request(query.getModel(), now, settings, rollouts, version,
          List.of(slice(query, new Piece(0, n, true), now))));
      return;
    }
    if (admission.releaseOpenFirst()) {
      release(query.getModel(), now, ctx, out);
      waiting = 0;
    }
    for (Piece piece : admission.pieces()) {
      QuerySlice slice = slice(query, piece, now);
      if (!settings.merges()) {
        out.collect(request(query.getModel(), now, settings, rollouts, version, List.of(slice)));
        continue;
      }
      if (waiting == 0) {
        pendingSettings.update(settings);
        pendingRollout.update(version);
      }
      pending.add(slice);
      waiting += piece.length();
      if (piece.closesRequest()) {
        release(query.getModel(), now, ctx, out);
        waiting = 0;
      }
    }
    if (waiting > 0) {
      pendingItems.update(waiting);
      if (releaseTimer.value() == null) {
        long at = (long) BatchingRules.releaseDueMs(now, settings);
        ctx.timerService().registerProcessingTimeTimer(at);
        releaseTimer.update(at);
      }
    }
  }

  /**
   * A decision for a model replaces the previous one, except that a manual pin can only be
   * replaced or released by another manual decision.
   */
  @Override
  public void processBroadcastElement(ControlRecord record, Context ctx, Collector<InferenceRequest> out)
      throws Exception {
    if (record.getRollout() != null) {
      ModelRollout rollout = record.getRollout();
      if (policies.containsKey(rollout.getModel())) {
        var state = ctx.getBroadcastState(ROLLOUT_STATE);
        RolloutSchedule next = rollouts(rollout.getModel(), state).accept(rollout, ctx.currentProcessingTime());
        state.put(rollout.getModel() + LATEST, next.latest());
        if (next.previous() != null) {
          state.put(rollout.getModel() + PREVIOUS, next.previous());
        }
      }
      return;
    }
    ControlDecision decision = record.getDecision();
    if (decision == null || !policies.containsKey(decision.getModel())) {
      return;
    }
    try {
      new BatchSettings(decision.getBatchSize(), decision.getMaxQueueDelayMs(), decision.getOffloadThreshold());
    } catch (IllegalArgumentException e) {
      LOG.warn("ignoring control decision for {}: {}", decision.getModel(), e.getMessage());
      return;
    }
    var state = ctx.getBroadcastState(CONTROL_STATE);
    ControlDecision current = state.get(decision.getModel());
    boolean pinned = current != null && current.getSource() == DecisionSource.MANUAL && current.getPinned();
    if (decision.getSource() == DecisionSource.MANUAL) {
      if (decision.getPinned()) {
        state.put(decision.getModel(), decision);
      } else {
        state.remove(decision.getModel());
      }
    } else if (!pinned) {
      state.put(decision.getModel(), decision);
    }
  }

  /** The rollouts of {@code model} received so far. */
  static RolloutSchedule rollouts(String model, ReadOnlyBroadcastState<String, ModelRollout> state) throws Exception {
    ModelRollout latest = state.get(model + LATEST);
    return latest == null ? RolloutSchedule.NONE : new RolloutSchedule(latest, state.get(model + PREVIOUS));
  }

  /** The settings in force for {@code model}: the latest decision, else the configured policy's. */
  BatchSettings settings(String model, ReadOnlyBroadcastState<String, ControlDecision> decisions) throws Exception {
    ControlDecision decision = decisions.get(model);
    if (decision != null) {
      return new BatchSettings(decision.getBatchSize(), decision.getMaxQueueDelayMs(), decision.getOffloadThreshold());
    }
    BatchPolicy policy = policies.get(model);
    if (policy == null) {
      throw new IllegalStateException("no batch policy for model " + model + " (the validator should have rejected it)");
    }
    return policy.settings();
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<InferenceRequest> out) throws Exception {
    Long due = releaseTimer.value();
    if (due != null && due == timestamp) {
      releaseTimer.clear();
      List<QuerySlice> slices = new ArrayList<>();
      pending.get().forEach(slices::add);
      if (!slices.isEmpty()) {
        String model = ctx.getCurrentKey().substring(0, ctx.getCurrentKey().indexOf('#'));
        BatchSettings opened = pendingSettings.value();
        out.collect(request(model, timestamp,
            opened != null ? opened : settings(model, ctx.getBroadcastState(CONTROL_STATE)),
            rollouts(model, ctx.getBroadcastState(ROLLOUT_STATE)), pendingRollout.value(), slices));
      }
      pending.clear();
      pendingItems.clear();
      pendingSettings.clear();
      pendingRollout.clear();
    }
  }

  /** Releases the open request, with the settings it was opened under. */
  private void release(String model, long now, ReadOnlyContext ctx, Collector<InferenceRequest> out) throws Exception {
    List<QuerySlice> slices = new ArrayList<>();
    pending.get().forEach(slices::add);
    if (!slices.isEmpty()) {
      out.collect(request(model, now, pendingSettings.value(), rollouts(model, ctx.getBroadcastState(ROLLOUT_STATE)),
          pendingRollout.value(), slices));
    }
    pending.clear();
    pendingItems.clear();
    pendingSettings.clear();
    pendingRollout.clear();
    Long due = releaseTimer.value();
    if (due != null) {
      ctx.timerService().deleteProcessingTimeTimer(due);
      releaseTimer.clear();
    }
  }

  /** A request scored by {@code version} (null: the started model), announcing any upcoming version. */
  private static InferenceRequest request(String model, long now, BatchSettings settings, RolloutSchedule rollouts,
      ModelRollout version, List<QuerySlice> slices) {
    return InferenceRequest.newBuilder().setModel(model).setCreatedTimeMs(now)
        .setBatchSizeSetting(settings.batchSize()).setOffloadThreshold(settings.offloadThreshold())
        .setMaxQueueDelayMsSetting(settings.maxQueueDelayMs())
        .setRollout(version).setNextRollout(rollouts.upcoming(now))
        .setSlices(slices).build();
  }

  static QuerySlice slice(RecQuery query, Piece piece, long batchedTimeMs) {
    int n = query.getCandidateIds().size();
    int from = piece.offset();
    int to = from + piece.length();
    QuerySlice.Builder slice = QuerySlice.newBuilder()
        .setQueryId(query.getQueryId())
        .setUserId(query.getUserId())
        .setArrivalTimeMs(query.getArrivalTimeMs())
        .setDeadlineMs(query.getDeadlineMs())
        .setTopK(query.getTopK())
        .setQueryItems(n)
        .setOffset(from)
        .setBatchedTimeMs(batchedTimeMs)
        .setCandidateIds(new ArrayList<>(query.getCandidateIds().subList(from, to)));
    CandidateFeatures features = query.getFeatures();
    if (features != null) {
      int densePerItem = features.getDense().size() / n;
      int sparsePerItem = features.getSparse().size() / n;
      slice.setDense(new ArrayList<>(features.getDense().subList(from * densePerItem, to * densePerItem)));
      slice.setSparse(new ArrayList<>(features.getSparse().subList(from * sparsePerItem, to * sparsePerItem)));
    }
    return slice.build();
  }

  /** The key of a query: its model and a shard, so one model's load spreads over subtasks. */
  public static String key(RecQuery query, int shards) {
    return query.getModel() + "#" + Math.floorMod(query.getQueryId().hashCode(), shards);
  }
}

package io.deeprec.flink;

import io.deeprec.sched.BatchPolicy;
import io.deeprec.sched.BatchSettings;
import io.deeprec.sched.QuerySplitter;
import io.deeprec.sched.QuerySplitter.Piece;
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
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Cuts the queries of one (model, shard) key into inference requests as the model's {@link
 * BatchPolicy} says: a query larger than the batch size is split so its parts run in parallel;
 * when the policy allows a queue delay, partial requests wait (in checkpointed state) for items of
 * later queries until full or until a processing-time timer releases them.
 */
public class MicroBatcher extends KeyedProcessFunction<String, RecQuery, InferenceRequest> {
  private static final long serialVersionUID = 1L;

  private final HashMap<String, BatchPolicy> policies;

  private transient ListState<QuerySlice> pending;
  private transient ValueState<Integer> pendingItems;
  private transient ValueState<Long> releaseTimer;

  /** @param policies the batch policy of every served model, by model id */
  public MicroBatcher(Map<String, BatchPolicy> policies) {
    this.policies = new HashMap<>(policies);
  }

  @Override
  public void open(OpenContext openContext) {
    pending = getRuntimeContext().getListState(
        new ListStateDescriptor<>("pending-slices", new AvroTypeInfo<>(QuerySlice.class)));
    pendingItems = getRuntimeContext().getState(new ValueStateDescriptor<>("pending-items", Integer.class));
    releaseTimer = getRuntimeContext().getState(new ValueStateDescriptor<>("release-timer", Long.class));
  }

  @Override
  public void processElement(RecQuery query, Context ctx, Collector<InferenceRequest> out) throws Exception {
    BatchPolicy policy = policies.get(query.getModel());
    if (policy == null) {
      throw new IllegalStateException("no batch policy for model " + query.getModel()
          + " (the validator should have rejected it)");
    }
    BatchSettings settings = policy.settings();
    long now = ctx.timerService().currentProcessingTime();
    int waiting = pendingItems.value() == null ? 0 : pendingItems.value();
    if (waiting >= settings.batchSize() || (waiting > 0 && !settings.merges())) {
      // The batch size shrank or merging was switched off since these items arrived.
      release(query.getModel(), now, ctx, out);
      waiting = 0;
    }
    for (Piece piece : QuerySplitter.plan(query.getCandidateIds().size(), waiting, settings)) {
      QuerySlice slice = slice(query, piece);
      if (!settings.merges()) {
        out.collect(request(query.getModel(), now, List.of(slice)));
        continue;
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
        long at = now + settings.maxQueueDelayMs();
        ctx.timerService().registerProcessingTimeTimer(at);
        releaseTimer.update(at);
      }
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<InferenceRequest> out) throws Exception {
    Long due = releaseTimer.value();
    if (due != null && due == timestamp) {
      releaseTimer.clear();
      List<QuerySlice> slices = new ArrayList<>();
      pending.get().forEach(slices::add);
      if (!slices.isEmpty()) {
        out.collect(request(ctx.getCurrentKey().substring(0, ctx.getCurrentKey().indexOf('#')), timestamp, slices));
      }
      pending.clear();
      pendingItems.clear();
    }
  }

  private void release(String model, long now, Context ctx, Collector<InferenceRequest> out) throws Exception {
    List<QuerySlice> slices = new ArrayList<>();
    pending.get().forEach(slices::add);
    if (!slices.isEmpty()) {
      out.collect(request(model, now, slices));
    }
    pending.clear();
    pendingItems.clear();
    Long due = releaseTimer.value();
    if (due != null) {
      ctx.timerService().deleteProcessingTimeTimer(due);
      releaseTimer.clear();
    }
  }

  private static InferenceRequest request(String model, long now, List<QuerySlice> slices) {
    return InferenceRequest.newBuilder().setModel(model).setCreatedTimeMs(now).setSlices(slices).build();
  }

  static QuerySlice slice(RecQuery query, Piece piece) {
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

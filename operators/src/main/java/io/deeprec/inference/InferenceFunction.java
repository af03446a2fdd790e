package io.deeprec.inference;

import io.deeprec.model.FeatureBatch;
import io.deeprec.model.FeatureStore;
import io.deeprec.model.ModelKey;
import io.deeprec.model.ModelRegistry;
import io.deeprec.model.ModelSpec;
import io.deeprec.model.RecModel;
import io.deeprec.schema.ResultStatus;
import io.deeprec.schema.internal.InferenceRequest;
import io.deeprec.schema.internal.PartialResult;
import io.deeprec.schema.internal.QuerySlice;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * Runs inference requests on this TaskManager's shared CPU workers ({@link InferenceWorkers})
 * against the JVM's shared model instances ({@link ModelRegistry}). Emits one {@link
 * PartialResult} per query slice: its top k, or EXPIRED (no model time spent) when the query's
 * deadline passed while it waited. Used with {@code AsyncDataStream.unorderedWait}, whose
 * capacity bounds the requests in flight and whose checkpointed buffer keeps them across failures.
 */
public class InferenceFunction extends RichAsyncFunction<InferenceRequest, PartialResult> {
  private static final long serialVersionUID = 1L;

  private final HashMap<String, ModelKey> models;
  private final int workers;
  private final HashMap<String, int[]> warmupBatchSizes;

  private transient Map<String, ModelRegistry.Lease> leases;
  private transient InferenceWorkers.Lease workersLease;

  /**
   * @param models the served models by id
   * @param workers CPU worker threads per TaskManager; <= 0 = one per core
   * @param warmupBatchSizes per model, the request sizes each worker runs before taking traffic
   */
  public InferenceFunction(Map<String, ModelKey> models, int workers, Map<String, int[]> warmupBatchSizes) {
    this.models = new HashMap<>(models);
    this.workers = workers;
    this.warmupBatchSizes = new HashMap<>(warmupBatchSizes);
  }

  @Override
  public void open(OpenContext openContext) {
    leases = new HashMap<>();
    models.forEach((name, key) -> leases.put(name, ModelRegistry.acquire(key)));
    workersLease = InferenceWorkers.acquire(workers);
    leases.forEach((name, lease) ->
        workersLease.workers().prepare(lease.model(), warmupBatchSizes.getOrDefault(name, new int[] {1})));
  }

  @Override
  public void close() {
    if (workersLease != null) {
      workersLease.close();
    }
    if (leases != null) {
      leases.values().forEach(ModelRegistry.Lease::close);
    }
  }

  @Override
  public void asyncInvoke(InferenceRequest request, ResultFuture<PartialResult> resultFuture) {
    ModelRegistry.Lease lease = leases.get(request.getModel());
    if (lease == null) {
      resultFuture.complete(failed(request, ResultStatus.REJECTED, "model " + request.getModel() + " is not served here"));
      return;
    }
    RecModel model = lease.model();
    long now = System.currentTimeMillis();
    List<PartialResult> expired = new ArrayList<>();
    List<QuerySlice> live = new ArrayList<>(request.getSlices().size());
    for (QuerySlice slice : request.getSlices()) {
      if (slice.getDeadlineMs() != null && slice.getDeadlineMs() < now) {
        expired.add(partial(request, slice, ResultStatus.EXPIRED,
            "deadline passed " + (now - slice.getDeadlineMs()) + " ms before inference", List.of(), 0, 0, 0, now, model.device()));
      } else {
        live.add(slice);
      }
    }
    if (live.isEmpty()) {
      resultFuture.complete(expired);
      return;
    }
    FeatureBatch batch = assemble(model.spec(), live);
    workersLease.workers().submit(model, batch).whenComplete((scored, error) -> {
      long done = System.currentTimeMillis();
      List<PartialResult> out = new ArrayList<>(expired);
      int offset = 0;
      for (QuerySlice slice : live) {
        if (error != null) {
          out.add(partial(request, slice, ResultStatus.REJECTED, "inference failed: " + rootMessage(error),
              List.of(), 0, 0, batch.items(), done, model.device()));
        } else {
          out.add(partial(request, slice, ResultStatus.OK, null,
              TopK.select(slice.getCandidateIds(), scored.scores(), offset, slice.getTopK()),
              Math.max(0.0, done - scored.inferenceMs() - request.getCreatedTimeMs()), scored.inferenceMs(), batch.items(), done, model.device()));
        }
        offset += slice.getCandidateIds().size();
      }
      resultFuture.complete(out);
    });
  }

  @Override
  public void timeout(InferenceRequest request, ResultFuture<PartialResult> resultFuture) {
    resultFuture.complete(failed(request, ResultStatus.REJECTED, "inference timed out"));
  }

  private static List<PartialResult> failed(InferenceRequest request, ResultStatus status, String reason) {
    long now = System.currentTimeMillis();
    List<PartialResult> out = new ArrayList<>();
    for (QuerySlice slice : request.getSlices()) {
      out.add(partial(request, slice, status, reason, List.of(), 0, 0, 0, now, "none"));
    }
    return out;
  }

  /** Concatenates the slices' features: explicit ones when the query carried them, else the store's. */
  static FeatureBatch assemble(ModelSpec spec, List<QuerySlice> slices) {
    int items = 0;
    for (QuerySlice slice : slices) {
      items += slice.getCandidateIds().size();
    }
    int denseDim = spec.denseDim();
    int sparsePerItem = spec.sparseIdsPerItem();
    float[] dense = new float[items * denseDim];
    int[] sparse = new int[items * sparsePerItem];
    int row = 0;
    for (QuerySlice slice : slices) {
      int n = slice.getCandidateIds().size();
      if (!slice.getSparse().isEmpty()) {
        List<Float> d = slice.getDense();
        for (int i = 0; i < d.size(); i++) {
          dense[row * denseDim + i] = d.get(i);
        }
        List<Integer> s = slice.getSparse();
        for (int i = 0; i < s.size(); i++) {
          sparse[row * sparsePerItem + i] = s.get(i);
        }
      } else {
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
          ids[i] = slice.getCandidateIds().get(i);
        }
        FeatureBatch derived = FeatureStore.lookup(spec, slice.getUserId(), ids);
        System.arraycopy(derived.dense(), 0, dense, row * denseDim, derived.dense().length);
        System.arraycopy(derived.sparse(), 0, sparse, row * sparsePerItem, derived.sparse().length);
      }
      row += n;
    }
    return new FeatureBatch(items, dense, sparse);
  }

  private static PartialResult partial(InferenceRequest request, QuerySlice slice, ResultStatus status, String reason,
      List<io.deeprec.schema.ScoredItem> items, double queueMs, double inferenceMs, int batchSize, long completedMs,
      String device) {
    return PartialResult.newBuilder()
        .setQueryId(slice.getQueryId())
        .setModel(request.getModel())
        .setStatus(status)
        .setReason(reason)
        .setArrivalTimeMs(slice.getArrivalTimeMs())
        .setQueryItems(slice.getQueryItems())
        .setSliceItems(slice.getCandidateIds().size())
        .setTopK(slice.getTopK())
        .setItems(items)
        .setQueueMs(queueMs)
        .setInferenceMs(inferenceMs)
        .setBatchSize(batchSize)
        .setCompletedTimeMs(completedMs)
        .setDevice(device)
        .build();
  }

  private static String rootMessage(Throwable error) {
    Throwable t = error;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName() + ": " + t.getMessage();
  }
}

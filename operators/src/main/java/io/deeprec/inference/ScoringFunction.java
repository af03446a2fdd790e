package io.deeprec.inference;

import io.deeprec.model.FeatureBatch;
import io.deeprec.model.FeatureStore;
import io.deeprec.model.ModelSpec;
import io.deeprec.model.RecModel;
import io.deeprec.model.UserSideIds;
import io.deeprec.schema.ResultStatus;
import io.deeprec.schema.internal.InferenceRequest;
import io.deeprec.schema.internal.PartialResult;
import io.deeprec.schema.internal.QuerySlice;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * What every inference path shares: expire slices whose deadline passed (no model time spent),
 * assemble the features of the live slices into one batch, score it where the subclass says, and
 * emit one {@link PartialResult} per slice with its top k.
 */
public abstract class ScoringFunction extends RichAsyncFunction<InferenceRequest, PartialResult> {
  private static final long serialVersionUID = 1L;

  private final UserSideIds userSide;

  /** @param userSide how the feature store draws user-side ids for queries without explicit features */
  protected ScoringFunction(UserSideIds userSide) {
    this.userSide = Objects.requireNonNull(userSide, "user-side ids");
  }

  /** The served model named by a request, or null when this path does not serve it. */
  protected abstract RecModel model(String name);

  /** Runs one batch; the future completes on whatever thread scored it. */
  protected abstract CompletableFuture<InferenceWorkers.Scored> submit(RecModel model, FeatureBatch batch);

  /** The device label results carry, e.g. {@code cpu} or {@code simulated-gpu}. */
  protected abstract String device(RecModel model);

  /** The CPU worker pool this path's requests queue for, or null when it has none (an accelerator). */
  protected InferenceWorkers pool() {
    return null;
  }

  /**
   * The version a request asked for ({@link InferenceRequest#getRollout()}, not null): this path
   * serves only the model it started with, so it scores with that and says why. Paths that load
   * rolled-out versions override this.
   */
  protected CompletableFuture<ModelVersions.Resolved> version(InferenceRequest request, RecModel started) {
    return CompletableFuture.completedFuture(new ModelVersions.Resolved(started, null,
        "version " + request.getRollout().getVersion() + " is not loaded on this path; it serves the version it started with"));
  }

  /** Starts loading a version announced for later, where this path loads versions. */
  protected void prefetch(InferenceRequest request) {}

  @Override
  public void asyncInvoke(InferenceRequest request, ResultFuture<PartialResult> resultFuture) {
    RecModel started = model(request.getModel());
    if (started == null) {
      resultFuture.complete(failed(request, ResultStatus.REJECTED, "model " + request.getModel() + " is not served here"));
      return;
    }
    if (request.getNextRollout() != null) {
      prefetch(request);
    }
    if (request.getRollout() == null) {
      score(request, started, "", resultFuture, () -> {});
      return;
    }
    version(request, started).whenComplete((resolved, error) -> {
      if (error != null) {
        resultFuture.complete(failed(request, ResultStatus.REJECTED, "model version: " + rootMessage(error)));
        return;
      }
      Runnable release = resolved.lease() == null ? () -> {} : resolved.lease()::close;
      try {
        score(request, resolved.model(), resolved.failure() == null ? "" : resolved.failure(), resultFuture, release);
      } catch (RuntimeException e) {
        release.run();
        throw e;
      }
    });
  }

  /** Scores {@code request} with {@code model}; {@code release} runs once the parts are complete. */
  private void score(InferenceRequest request, RecModel model, String rolloutFailure,
      ResultFuture<PartialResult> resultFuture, Runnable release) {
    long now = System.currentTimeMillis();
    List<PartialResult> expired = new ArrayList<>();
    List<QuerySlice> live = new ArrayList<>(request.getSlices().size());
    for (QuerySlice slice : request.getSlices()) {
      if (slice.getDeadlineMs() != null && slice.getDeadlineMs() < now) {
        expired.add(partial(request, slice, ResultStatus.EXPIRED,
            "deadline passed " + (now - slice.getDeadlineMs()) + " ms before inference", List.of(), 0, 0, 0, now, device(model)));
      } else {
        live.add(slice);
      }
    }
    if (live.isEmpty()) {
      release.run();
      resultFuture.complete(expired);
      return;
    }
    FeatureBatch batch = assemble(model.spec(), live, userSide);
    InferenceWorkers pool = pool();
    int queueDepth = pool == null ? 0 : pool.queueDepth();
    submit(model, batch).whenComplete((scored, error) -> {
      long done = System.currentTimeMillis();
      List<PartialResult> out = new ArrayList<>(expired);
      int offset = 0;
      for (QuerySlice slice : live) {
        if (error != null) {
          out.add(partial(request, slice, ResultStatus.REJECTED, "inference failed: " + rootMessage(error),
              List.of(), 0, 0, batch.items(), done, device(model)));
        } else {
          PartialResult part = partial(request, slice, ResultStatus.OK, null,
              TopK.select(slice.getCandidateIds(), scored.scores(), offset, slice.getTopK()),
              Math.max(0.0, done - scored.inferenceMs() - request.getCreatedTimeMs()), scored.inferenceMs(), batch.items(), done, device(model));
          part.setWorkMs(scored.workMs());
          out.add(part);
        }
        offset += slice.getCandidateIds().size();
      }
      for (PartialResult part : out) {
        part.setModelVersion(model.version());
        part.setRolloutFailure(rolloutFailure);
      }
      release.run();
      if (pool != null) {
        for (PartialResult part : out) {
          part.setWorkerPool(pool.id());
          part.setWorkers(pool.workerCount());
          part.setQueueDepth(queueDepth);
        }
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
  public static FeatureBatch assemble(ModelSpec spec, List<QuerySlice> slices, UserSideIds userSide) {
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
        FeatureStore.lookupInto(spec, slice.getUserId(), ids, userSide, dense, sparse, row);
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
        .setBatchSizeSetting(request.getBatchSizeSetting())
        .setOffloadThreshold(request.getOffloadThreshold())
        .setMaxQueueDelayMsSetting(request.getMaxQueueDelayMsSetting())
        .setBatchedTimeMs(slice.getBatchedTimeMs())
        .setReleasedTimeMs(request.getCreatedTimeMs())
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

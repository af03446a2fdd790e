package io.deeprec.inference;

import io.deeprec.model.FeatureBatch;
import io.deeprec.model.ModelKey;
import io.deeprec.model.UserSideIds;
import io.deeprec.model.ModelRegistry;
import io.deeprec.model.RecModel;
import io.deeprec.schema.internal.InferenceRequest;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.functions.OpenContext;

/**
 * Runs inference requests on this TaskManager's shared CPU workers ({@link InferenceWorkers})
 * against the JVM's shared model instances ({@link ModelRegistry}). Emits one {@link
 * PartialResult} per query slice: its top k, or EXPIRED (no model time spent) when the query's
 * deadline passed while it waited. Used with {@code AsyncDataStream.unorderedWait}, whose
 * capacity bounds the requests in flight and whose checkpointed buffer keeps them across failures.
 */
public class InferenceFunction extends ScoringFunction {
  private static final long serialVersionUID = 1L;

  private final HashMap<String, ModelKey> models;
  private final int workers;
  private final HashMap<String, int[]> warmupBatchSizes;

  private transient Map<String, ModelRegistry.Lease> leases;
  private transient InferenceWorkers.Lease workersLease;
  private transient java.util.concurrent.atomic.AtomicInteger inFlight;

  /**
   * @param models the served models by id
   * @param workers CPU worker threads per TaskManager; <= 0 = one per core
   * @param warmupBatchSizes per model, the request sizes each worker runs before taking traffic
   * @param userSide how user-side ids are drawn for queries without explicit features
   */
  public InferenceFunction(Map<String, ModelKey> models, int workers, Map<String, int[]> warmupBatchSizes,
      UserSideIds userSide) {
    super(userSide);
    this.models = new HashMap<>(models);
    this.workers = workers;
    this.warmupBatchSizes = new HashMap<>(warmupBatchSizes);
  }

  @Override
  public void open(OpenContext openContext) {
    leases = new HashMap<>();
    models.forEach((name, key) -> leases.put(name, ModelRegistry.acquire(key)));
    workersLease = InferenceWorkers.acquire(workers);
    inFlight = new java.util.concurrent.atomic.AtomicInteger();
    registerMetrics(workersLease.workers());
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
  protected RecModel model(String name) {
    ModelRegistry.Lease lease = leases.get(name);
    return lease == null ? null : lease.model();
  }

  @Override
  protected CompletableFuture<ModelVersions.Resolved> version(InferenceRequest request, RecModel started) {
    ModelRegistry.Lease lease = leases.get(request.getModel());
    return ModelVersions.resolve(request.getRollout(), started.spec(), prepare(request.getModel()), lease);
  }

  @Override
  protected void prefetch(InferenceRequest request) {
    RecModel started = model(request.getModel());
    ModelVersions.prefetch(request.getNextRollout(), started.spec(), prepare(request.getModel()));
  }

  /** Warms a loaded version up on this TaskManager's workers, as the started model was at open. */
  private java.util.function.Consumer<RecModel> prepare(String model) {
    InferenceWorkers pool = workersLease.workers();
    int[] sizes = warmupBatchSizes.getOrDefault(model, new int[] {1});
    return loaded -> pool.prepare(loaded, sizes);
  }

  @Override
  protected CompletableFuture<InferenceWorkers.Scored> submit(RecModel model, FeatureBatch batch) {
    inFlight.incrementAndGet();
    return workersLease.workers().submit(model, batch).whenComplete((scored, error) -> inFlight.decrementAndGet());
  }

  /**
   * The worker pool's figures as Flink metrics (group {@code deeprec.workers}): queue depth, worker
   * threads, this subtask's requests in flight, and the share of the workers' time spent scoring
   * since the previous read.
   */
  private void registerMetrics(InferenceWorkers pool) {
    org.apache.flink.metrics.MetricGroup group = getRuntimeContext().getMetricGroup().addGroup("deeprec")
        .addGroup("workers");
    group.gauge("queueDepth", pool::queueDepth);
    group.gauge("workers", pool::workerCount);
    group.gauge("requestsInFlight", inFlight::get);
    long[] previous = {pool.busyNanos(), System.nanoTime()};
    group.gauge("utilisation", () -> {
      synchronized (previous) {
        long busy = pool.busyNanos();
        long now = System.nanoTime();
        double share = (busy - previous[0]) / (double) Math.max(1, (now - previous[1]) * pool.workerCount());
        previous[0] = busy;
        previous[1] = now;
        return Math.min(1.0, share);
      }
    });
  }

  @Override
  protected InferenceWorkers pool() {
    return workersLease.workers();
  }

  @Override
  protected String device(RecModel model) {
    return model.device();
  }
}

package io.deeprec.inference;

import io.deeprec.model.FeatureBatch;
import io.deeprec.model.ModelFactory;
import io.deeprec.model.ModelKey;
import io.deeprec.model.UserSideIds;
import io.deeprec.model.ModelRegistry;
import io.deeprec.model.ModelScorer;
import io.deeprec.model.RecModel;
import io.deeprec.sched.LatencyCurve;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.apache.flink.api.common.functions.OpenContext;

/**
 * The accelerator path: whole large queries, one at a time, as the reference's GPU server.
 *
 * <ul>
 *   <li>{@link Mode#GPU}: the model runs through DJL on the GPU that Flink assigned to this slot
 *       (external resource {@code gpu}, its {@code index} property); results say {@code gpu:N}.
 *   <li>{@link Mode#SIMULATED}: no GPU exists, so a measured or assumed batch -> latency curve
 *       (log-interpolated, as the reference does) stands in for one. Scores are still computed by
 *       the real model on a CPU thread, so answers are correct; the request completes when the
 *       modelled latency has passed (or later, if the CPU took longer). Every result says {@code
 *       simulated-gpu}, so it can never be mistaken for a measurement.
 * </ul>
 */
public class AcceleratorFunction extends ScoringFunction {
  private static final long serialVersionUID = 1L;

  /** How the accelerator path runs. */
  public enum Mode {
    SIMULATED,
    GPU
  }

  public static final String SIMULATED_DEVICE = "simulated-gpu";
  /** Flink external resource name of GPUs (Flink's GPU plugin). */
  public static final String GPU_RESOURCE = "gpu";

  private final HashMap<String, ModelKey> models;
  private final Mode mode;
  private final LatencyCurve simulatedLatency;

  private transient Map<String, RecModel> loaded;
  private transient Map<String, ModelRegistry.Lease> leases;
  private transient ExecutorService server;
  private transient Map<RecModel, ModelScorer> scorers;
  private transient String gpuDevice;

  /**
   * @param simulatedLatency request latency per batch size of the simulated accelerator (unused in GPU mode)
   * @param userSide how user-side ids are drawn for queries without explicit features
   */
  public AcceleratorFunction(Map<String, ModelKey> models, Mode mode, LatencyCurve simulatedLatency,
      UserSideIds userSide) {
    super(userSide);
    this.models = new HashMap<>(models);
    this.mode = mode;
    this.simulatedLatency = simulatedLatency;
    if (mode == Mode.SIMULATED && simulatedLatency == null) {
      throw new IllegalArgumentException("a simulated accelerator needs a batch -> latency curve");
    }
  }

  @Override
  public void open(OpenContext openContext) {
    loaded = new HashMap<>();
    leases = new HashMap<>();
    scorers = new IdentityHashMap<>();
    // One query at a time, like one GPU server: a single thread owns the scorers.
    server = Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "deeprec-accelerator");
      thread.setDaemon(true);
      return thread;
    });
    if (mode == Mode.GPU) {
      gpuDevice = "gpu:" + assignedGpuIndex();
      models.forEach((name, key) -> loaded.put(name, ModelFactory.create(key, gpuDevice)));
    } else {
      models.forEach((name, key) -> {
        ModelRegistry.Lease lease = ModelRegistry.acquire(key);
        leases.put(name, lease);
        loaded.put(name, lease.model());
      });
    }
  }

  private String assignedGpuIndex() {
    Set<ExternalResourceInfo> gpus = getRuntimeContext().getExternalResourceInfos(GPU_RESOURCE);
    if (gpus.isEmpty()) {
      throw new IllegalStateException("accelerator mode is gpu but Flink assigned no '" + GPU_RESOURCE
          + "' external resource to this slot: enable the GPU plugin (external-resources: gpu) on the TaskManager");
    }
    return gpus.iterator().next().getProperty("index")
        .orElseThrow(() -> new IllegalStateException("the assigned GPU has no 'index' property"));
  }

  @Override
  public void close() {
    if (server != null) {
      server.shutdownNow();
    }
    if (mode == Mode.GPU && loaded != null) {
      loaded.values().forEach(RecModel::close);
    }
    if (leases != null) {
      leases.values().forEach(ModelRegistry.Lease::close);
    }
  }

  @Override
  protected RecModel model(String name) {
    return loaded.get(name);
  }

  @Override
  protected CompletableFuture<InferenceWorkers.Scored> submit(RecModel model, FeatureBatch batch) {
    long queued = System.nanoTime();
    return CompletableFuture.supplyAsync(() -> {
      long start = System.nanoTime();
      float[] scores = scorers.computeIfAbsent(model, RecModel::newScorer).score(batch);
      if (mode == Mode.SIMULATED) {
        long modelled = start + (long) (simulatedLatency.latencyMs(batch.items()) * 1e6);
        while (System.nanoTime() < modelled) {
          LockSupport.parkNanos(modelled - System.nanoTime());
        }
      }
      // An accelerator's request is charged its model time: no host CPU share to scale.
      double modelMs = (System.nanoTime() - start) / 1e6;
      return new InferenceWorkers.Scored(scores, (start - queued) / 1e6, modelMs, modelMs);
    }, server);
  }

  @Override
  protected String device(RecModel model) {
    return mode == Mode.GPU ? gpuDevice : SIMULATED_DEVICE;
  }
}

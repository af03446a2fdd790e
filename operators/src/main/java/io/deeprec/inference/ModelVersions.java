package io.deeprec.inference;

import io.deeprec.model.ModelKey;
import io.deeprec.model.ModelRegistry;
import io.deeprec.model.ModelSpec;
import io.deeprec.model.RecModel;
import io.deeprec.schema.ModelRollout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The versions of external models that rollouts ask this JVM for: each loaded once, in the
 * background (one loader thread per JVM, so serving threads never wait on a disk), checked (the
 * manifest must name the model and the rollout's version) and warmed up on the workers before any
 * request uses it. A request that names a version still loading waits for it; one whose version
 * failed is scored by the version this JVM served last, with the failure reported. The JVM keeps
 * the version in use and the one before it; older ones are released (each request holds its own
 * lease, so a version is freed only when its last request is done). Plain Java.
 */
public final class ModelVersions {
  private static final Logger LOG = LoggerFactory.getLogger(ModelVersions.class);
  private static final ExecutorService LOADER = Executors.newSingleThreadExecutor(r -> {
    Thread thread = new Thread(r, "deeprec-model-loader");
    thread.setDaemon(true);
    return thread;
  });

  /** Loads by rollout (a repeated rollout retries a failed version). */
  private static final Map<String, Loading> LOADS = new HashMap<>();
  /** Per model, the rollout that scored last and the one before it. */
  private static final Map<String, List<String>> IN_USE = new HashMap<>();

  private ModelVersions() {}

  /** The model a request is scored by, a lease on it, and why it is not the requested version (null when it is). */
  public record Resolved(RecModel model, ModelRegistry.Lease lease, String failure) {}

  private record Loading(ModelRollout rollout, CompletableFuture<ModelRegistry.Lease> lease) {}

  /** Starts loading {@code rollout}'s version in the background unless this JVM has it or is loading it. */
  public static void prefetch(ModelRollout rollout, ModelSpec inputs, Consumer<RecModel> prepare) {
    loading(rollout, inputs, prepare);
  }

  /**
   * The version {@code wanted} names, once loaded; if it cannot be, {@code fallback} (the version
   * this JVM served before), with the reason. The caller closes the returned lease when the request
   * is done.
   */
  public static CompletableFuture<Resolved> resolve(ModelRollout wanted, ModelSpec inputs, Consumer<RecModel> prepare,
      ModelRegistry.Lease fallback) {
    Loading loading = loading(wanted, inputs, prepare);
    return loading.lease().handle((lease, error) -> {
      if (error == null) {
        inUse(wanted);
        return new Resolved(lease.model(), ModelRegistry.acquire(lease.key()), null);
      }
      Throwable cause = error.getCause() != null ? error.getCause() : error;
      String failure = "version " + wanted.getVersion() + " (" + wanted.getDir() + ") failed to load: " + cause.getMessage();
      ModelRegistry.Lease previous = lastGood(wanted.getModel(), fallback);
      return new Resolved(previous.model(), previous, failure);
    });
  }

  private static synchronized Loading loading(ModelRollout rollout, ModelSpec inputs, Consumer<RecModel> prepare) {
    return LOADS.computeIfAbsent(id(rollout), id -> {
      CompletableFuture<ModelRegistry.Lease> lease =
          CompletableFuture.supplyAsync(() -> load(rollout, inputs, prepare), LOADER);
      return new Loading(rollout, lease);
    });
  }

  private static ModelRegistry.Lease load(ModelRollout rollout, ModelSpec inputs, Consumer<RecModel> prepare) {
    long start = System.nanoTime();
    ModelRegistry.Lease lease = ModelRegistry.acquire(ModelKey.external(rollout.getDir()));
    try {
      RecModel model = lease.model();
      if (!model.spec().name().equals(rollout.getModel())) {
        throw new IllegalArgumentException(rollout.getDir() + " holds model '" + model.spec().name() + "', not '"
            + rollout.getModel() + "'");
      }
      if (!model.version().equals(rollout.getVersion())) {
        throw new IllegalArgumentException(rollout.getDir() + " holds version '" + model.version()
            + "', the rollout names '" + rollout.getVersion() + "'");
      }
      if (!model.spec().sameInputs(inputs)) {
        // Queries were validated against the started model's inputs; a version must take the same.
        throw new IllegalArgumentException(rollout.getDir() + " takes other inputs (" + model.spec().describe()
            + ") than the version served (" + inputs.describe() + ")");
      }
      prepare.accept(model);
      LOG.info("{} version {} loaded from {} in {} ms", rollout.getModel(), rollout.getVersion(), rollout.getDir(),
          (System.nanoTime() - start) / 1_000_000);
      return lease;
    } catch (RuntimeException | Error e) {
      lease.close();
      LOG.error("{} version {} from {} failed to load; the previous version keeps serving", rollout.getModel(),
          rollout.getVersion(), rollout.getDir(), e);
      throw e;
    }
  }

  /** A fresh lease on the version this JVM scored {@code model} with last, else {@code fallback}'s model. */
  private static synchronized ModelRegistry.Lease lastGood(String model, ModelRegistry.Lease fallback) {
    List<String> used = IN_USE.getOrDefault(model, List.of());
    if (!used.isEmpty()) {
      Loading last = LOADS.get(used.get(used.size() - 1));
      if (last != null && last.lease().isDone() && !last.lease().isCompletedExceptionally()) {
        return ModelRegistry.acquire(last.lease().join().key());
      }
    }
    return ModelRegistry.acquire(fallback.key());
  }

  /** Marks {@code rollout} as the version in use for its model; releases versions older than the one before. */
  private static synchronized void inUse(ModelRollout rollout) {
    List<String> used = IN_USE.computeIfAbsent(rollout.getModel(), m -> new ArrayList<>());
    String id = id(rollout);
    if (!used.isEmpty() && used.get(used.size() - 1).equals(id)) {
      return;
    }
    used.remove(id);
    used.add(id);
    while (used.size() > 2) {
      Loading retired = LOADS.remove(used.remove(0));
      if (retired != null) {
        retired.lease().thenAccept(ModelRegistry.Lease::close);
      }
    }
  }

  private static String id(ModelRollout rollout) {
    return rollout.getModel() + "|" + rollout.getDir() + "|" + rollout.getVersion() + "|" + rollout.getTimestampMs();
  }
}

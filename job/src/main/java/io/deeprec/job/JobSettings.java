package io.deeprec.job;

import io.deeprec.model.ModelCatalog;
import io.deeprec.model.ModelId;
import io.deeprec.model.ModelKey;
import io.deeprec.model.ModelSpec;
import io.deeprec.sched.BatchPolicy;
import io.deeprec.sched.BatchSettings;
import io.deeprec.sched.FixedBatchPolicy;
import java.io.Serializable;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.configuration.Configuration;

/** The job's settings, read once from a Flink {@link Configuration} and checked. */
public record JobSettings(
    Map<String, ModelKey> models,
    String policy,
    int batchSize,
    Duration maxQueueDelay,
    int shards,
    int workers,
    int capacity,
    Duration inferenceTimeout,
    int maxCandidates,
    Duration abandonAfter,
    Duration metricsWindow,
    String queriesTopic,
    String resultsTopic,
    String metricsTopic,
    String deadLetterTopic,
    String controlTopic)
    implements Serializable {

  public static JobSettings from(Configuration conf) {
    Map<String, String> dirs = parseDirs(conf.get(DeepRecOptions.MODEL_DIRS));
    Map<String, ModelKey> models = new LinkedHashMap<>();
    double scale = conf.get(DeepRecOptions.TABLE_SCALE);
    long seed = conf.get(DeepRecOptions.SEED);
    for (String name : conf.get(DeepRecOptions.MODELS)) {
      ModelId id = ModelId.parse(name);
      models.put(id.cliName(), new ModelKey(id, scale, seed, dirs.remove(id.cliName())));
    }
    if (models.isEmpty()) {
      throw new IllegalArgumentException(DeepRecOptions.MODELS.key() + " names no model");
    }
    if (!dirs.isEmpty()) {
      throw new IllegalArgumentException(DeepRecOptions.MODEL_DIRS.key() + " names models that are not served: "
          + dirs.keySet() + " (served: " + models.keySet() + ")");
    }
    int maxCandidates = conf.get(DeepRecOptions.MAX_CANDIDATES);
    if (maxCandidates < 1 || maxCandidates > BatchSettings.MAX_BATCH) {
      throw new IllegalArgumentException(DeepRecOptions.MAX_CANDIDATES.key() + " must be in [1, "
          + BatchSettings.MAX_BATCH + "]: " + maxCandidates);
    }
    JobSettings settings = new JobSettings(
        models,
        conf.get(DeepRecOptions.POLICY).toLowerCase(Locale.ROOT),
        conf.get(DeepRecOptions.BATCH_SIZE),
        conf.get(DeepRecOptions.MAX_QUEUE_DELAY),
        conf.get(DeepRecOptions.SHARDS),
        conf.get(DeepRecOptions.WORKERS),
        positive(DeepRecOptions.CAPACITY.key(), conf.get(DeepRecOptions.CAPACITY)),
        conf.get(DeepRecOptions.INFERENCE_TIMEOUT),
        maxCandidates,
        conf.get(DeepRecOptions.ABANDON_AFTER),
        conf.get(DeepRecOptions.METRICS_WINDOW),
        conf.get(DeepRecOptions.QUERIES_TOPIC),
        conf.get(DeepRecOptions.RESULTS_TOPIC),
        conf.get(DeepRecOptions.METRICS_TOPIC),
        conf.get(DeepRecOptions.DEAD_LETTER_TOPIC),
        conf.get(DeepRecOptions.CONTROL_TOPIC));
    settings.policies(); // fail fast on a bad policy or batch size
    return settings;
  }

  /** The batch policy of each served model. */
  public Map<String, BatchPolicy> policies() {
    Map<String, BatchPolicy> policies = new LinkedHashMap<>();
    for (String model : models.keySet()) {
      policies.put(model, newPolicy());
    }
    return policies;
  }

  private BatchPolicy newPolicy() {
    switch (policy) {
      case "fixed":
        return new FixedBatchPolicy(batchSize, maxQueueDelay.toMillis());
      default:
        throw new IllegalArgumentException("unknown batch policy '" + policy + "', expected one of: fixed");
    }
  }

  /** Specs of the served models at the served table scale, for validation. */
  public Map<String, ModelSpec> specs() {
    Map<String, ModelSpec> specs = new LinkedHashMap<>();
    models.forEach((name, key) -> specs.put(name, ModelCatalog.spec(key.id()).withTableScale(key.tableScale())));
    return specs;
  }

  private static int positive(String key, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(key + " must be >= 1: " + value);
    }
    return value;
  }

  private static Map<String, String> parseDirs(String value) {
    Map<String, String> dirs = new LinkedHashMap<>();
    if (value == null || value.isBlank()) {
      return dirs;
    }
    for (String pair : value.split(",")) {
      String[] parts = pair.split("=", 2);
      if (parts.length != 2 || parts[1].isBlank()) {
        throw new IllegalArgumentException(DeepRecOptions.MODEL_DIRS.key() + ": expected model=directory, got '" + pair + "'");
      }
      dirs.put(ModelId.parse(parts[0]).cliName(), parts[1].trim());
    }
    return dirs;
  }
}

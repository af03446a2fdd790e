package io.deeprec.job;

import io.deeprec.model.ModelFactory;
import io.deeprec.model.RecModel;
import io.deeprec.model.torchscript.ModelManifest;
import io.deeprec.model.ModelId;
import io.deeprec.model.ModelKey;
import io.deeprec.model.UserSideIds;
import io.deeprec.model.ModelSpec;
import io.deeprec.sched.BatchPolicy;
import io.deeprec.sched.BatchSettings;
import io.deeprec.sched.SchedParameters;
import io.deeprec.sched.SplitRule;
import io.deeprec.inference.AcceleratorFunction;
import io.deeprec.model.LatencyTier;
import io.deeprec.sched.BatchPolicies;
import io.deeprec.sched.LatencyCurve;
import io.deeprec.sched.PolicyConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
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
    SplitRule split,
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
    String controlTopic,
    Map<String, Double> p95TargetsMs,
    Map<String, Map<Integer, Double>> profiles,
    AcceleratorFunction.Mode acceleratorMode,
    LatencyCurve acceleratorLatency,
    int acceleratorThreshold,
    int acceleratorCapacity,
    SchedParameters policyParameters,
    boolean requireDeadline,
    Duration maxAge,
    int warmupQueries,
    Duration warmupTimeout,
    UserSideIds userSideIds,
    List<String> queryWriterSchemas)
    implements Serializable {

  public static JobSettings from(Configuration conf) {
    Map<String, String> dirs = parseDirs(mapSetting(conf, DeepRecOptions.MODEL_DIRS, "model:directory"));
    Map<String, ModelKey> models = new LinkedHashMap<>();
    double scale = conf.get(DeepRecOptions.TABLE_SCALE);
    long seed = conf.get(DeepRecOptions.SEED);
    for (String name : conf.get(DeepRecOptions.MODELS)) {
      String served = ModelId.servedName(name);
      String dir = dirs.remove(served);
      if (dir != null && ModelManifest.isExternalModelDir(Path.of(dir))) {
        try {
          ModelManifest.readServedAs(Path.of(dir), served);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(DeepRecOptions.MODEL_DIRS.key() + ": " + e.getMessage(), e);
        }
        models.put(served, ModelKey.external(dir));
      } else if (ModelId.tryParse(served) != null) {
        models.put(served, new ModelKey(ModelId.parse(served), scale, seed, dir, conf.get(DeepRecOptions.EMBEDDING_LOOKUP)));
      } else {
        throw new IllegalArgumentException("unknown model '" + name + "': expected one of " + ModelId.names()
            + ", or an external model named by " + DeepRecOptions.MODEL_DIRS.key() + " (" + served
            + "=DIR, DIR holding " + ModelManifest.FILE + " and " + ModelManifest.MODULE_FILE + ")");
      }
    }
    if (models.isEmpty()) {
      throw new IllegalArgumentException(DeepRecOptions.MODELS.key() + " names no model");
    }
    if (!dirs.isEmpty()) {
      throw new IllegalArgumentException(DeepRecOptions.MODEL_DIRS.key() + " names models that are not served: "
          + dirs.keySet() + " (served: " + models.keySet() + "; list them in " + DeepRecOptions.MODELS.key()
          + ", --models on the command line)");
    }
    int maxCandidates = conf.get(DeepRecOptions.MAX_CANDIDATES);
    if (maxCandidates < 1 || maxCandidates > BatchSettings.MAX_BATCH) {
      throw new IllegalArgumentException(DeepRecOptions.MAX_CANDIDATES.key() + " must be in [1, "
          + BatchSettings.MAX_BATCH + "]: " + maxCandidates);
    }
    checkJobLevel(conf);
    JobSettings settings = new JobSettings(
        models,
        conf.get(DeepRecOptions.POLICY).toLowerCase(Locale.ROOT),
        conf.get(DeepRecOptions.BATCH_SIZE),
        notNegative(conf, DeepRecOptions.MAX_QUEUE_DELAY),
        enumSetting(conf, DeepRecOptions.SPLIT),
        notNegative(DeepRecOptions.SHARDS.key(), conf.get(DeepRecOptions.SHARDS)),
        notNegative(DeepRecOptions.WORKERS.key(), conf.get(DeepRecOptions.WORKERS)),
        positive(DeepRecOptions.CAPACITY.key(), conf.get(DeepRecOptions.CAPACITY)),
        positive(conf, DeepRecOptions.INFERENCE_TIMEOUT),
        maxCandidates,
        positive(conf, DeepRecOptions.ABANDON_AFTER),
        positive(conf, DeepRecOptions.METRICS_WINDOW),
        conf.get(DeepRecOptions.QUERIES_TOPIC),
        conf.get(DeepRecOptions.RESULTS_TOPIC),
        conf.get(DeepRecOptions.METRICS_TOPIC),
        conf.get(DeepRecOptions.DEAD_LETTER_TOPIC),
        conf.get(DeepRecOptions.CONTROL_TOPIC),
        targets(conf, models),
        profiles(conf.get(DeepRecOptions.PROFILE_DIR), models),
        enumSetting(conf, DeepRecOptions.ACCELERATOR_MODE).mode(),
        new LatencyCurve(parseCurve(mapSetting(conf, DeepRecOptions.ACCELERATOR_LATENCY, "batch:ms"))),
        conf.get(DeepRecOptions.ACCELERATOR_THRESHOLD),
        positive(DeepRecOptions.ACCELERATOR_CAPACITY.key(), conf.get(DeepRecOptions.ACCELERATOR_CAPACITY)),
        schedParameters(conf),
        conf.get(DeepRecOptions.REQUIRE_DEADLINE),
        positive(conf, DeepRecOptions.MAX_AGE),
        notNegative(DeepRecOptions.WARMUP_QUERIES.key(), conf.get(DeepRecOptions.WARMUP_QUERIES)),
        positive(conf, DeepRecOptions.WARMUP_TIMEOUT),
        conf.get(DeepRecOptions.USER_SIDE_IDS),
        writerSchemas(conf));
    try {
      settings.policies(); // fail fast on a bad policy or batch size
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(DeepRecOptions.POLICY.key() + " (with " + DeepRecOptions.BATCH_SIZE.key()
          + "): " + e.getMessage(), e);
    }
    return settings;
  }

  /** The batch policy of each served model. */
  public Map<String, BatchPolicy> policies() {
    Map<String, BatchPolicy> policies = new LinkedHashMap<>();
    for (String model : models.keySet()) {
      policies.put(model, newPolicy(model));
    }
    return policies;
  }

  /** Whether large queries may go to an accelerator path. */
  public boolean hasAccelerator() {
    return acceleratorMode != null;
  }

  private BatchPolicy newPolicy(String model) {
    long delay = maxQueueDelay.toMillis();
    if ("timeout".equals(policy) && delay == 0) {
      delay = PolicyConfig.DEFAULT_MAX_QUEUE_DELAY_MS;
    }
    // Unknown worker counts (0 = one per core) are estimated from this JVM; only deeprecsched's seed uses it.
    int workerEstimate = workers > 0 ? workers : Runtime.getRuntime().availableProcessors();
    PolicyConfig config = new PolicyConfig(p95TargetsMs.get(model), batchSize, delay, workerEstimate, hasAccelerator(),
        profiles.getOrDefault(model, Map.of()), policyParameters);
    BatchPolicy created = BatchPolicies.create(policy, config);
    if (hasAccelerator() && !created.adaptive() && acceleratorThreshold > 0) {
      return new WithOffload(created, acceleratorThreshold);
    }
    return created;
  }

  /** A static policy plus a fixed offload threshold (adaptive policies tune their own). */
  private record WithOffload(BatchPolicy inner, int threshold) implements BatchPolicy {
    @Override
    public String name() {
      return inner.name();
    }

    @Override
    public BatchSettings settings() {
      BatchSettings settings = inner.settings();
      return new BatchSettings(settings.batchSize(), settings.maxQueueDelayMs(), threshold);
    }
  }

  private static Map<String, Double> targets(Configuration conf, Map<String, ModelKey> models) {
    LatencyTier tier = enumSetting(conf, DeepRecOptions.SLA_TIER);
    Map<String, Double> targets = new LinkedHashMap<>();
    models.forEach((name, key) -> targets.put(name, ModelFactory.spec(key).p95TargetMs(tier)));
    Map<String, String> overrides = mapSetting(conf, DeepRecOptions.SLA_TARGETS, "served-model:ms");
    for (Map.Entry<String, String> override : overrides == null ? Map.<String, String>of().entrySet() : overrides.entrySet()) {
      String model = ModelId.servedName(override.getKey());
      if (!targets.containsKey(model)) {
        throw new IllegalArgumentException(DeepRecOptions.SLA_TARGETS.key() + ": '" + override.getKey()
            + "' is not a served model (served: " + targets.keySet() + ")");
      }
      double ms;
      try {
        ms = Double.parseDouble(override.getValue().trim());
      } catch (NumberFormatException e) {
        ms = Double.NaN;
      }
      if (!(ms > 0)) {
        throw new IllegalArgumentException(DeepRecOptions.SLA_TARGETS.key() + ": the target of " + model
            + " must be a number of ms > 0, got '" + override.getValue() + "'");
      }
      targets.put(model, ms);
    }
    return targets;
  }

  private static Map<String, Map<Integer, Double>> profiles(String dir, Map<String, ModelKey> models) {
    Map<String, Map<Integer, Double>> profiles = new LinkedHashMap<>();
    if (dir == null || dir.isBlank()) {
      return profiles;
    }
    for (String model : models.keySet()) {
      Path csv = Path.of(dir, model + "-profile.csv");
      if (!Files.isRegularFile(csv)) {
        continue;
      }
      profiles.put(model, readProfile(csv));
    }
    return profiles;
  }

  /**
   * A batch-size curve from a {@code <model>-profile.csv} of {@code deeprec profile}: median request latency
   * (ms) per batch size.
   *
   * @throws IllegalArgumentException naming the file when it cannot be read
   */
  public static Map<Integer, Double> readProfile(Path csv) {
    try {
      Map<Integer, Double> curve = new TreeMap<>();
      List<String> lines = Files.readAllLines(csv);
      List<String> header = List.of(lines.get(0).split(","));
      int batchColumn = header.indexOf("batch_size");
      int medianColumn = header.indexOf("median_ms");
      for (String line : lines.subList(1, lines.size())) {
        String[] cells = line.split(",");
        curve.put(Integer.parseInt(cells[batchColumn]), Double.parseDouble(cells[medianColumn]));
      }
      return curve;
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("cannot read profile " + csv + ": " + e.getMessage(), e);
    }
  }

  static Map<Integer, Double> parseCurve(Map<String, String> value) {
    Map<Integer, Double> curve = new TreeMap<>();
    value.forEach((batch, ms) -> {
      try {
        curve.put(Integer.parseInt(batch.trim()), Double.parseDouble(ms.trim()));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(DeepRecOptions.ACCELERATOR_LATENCY.key() + ": expected batch:ms pairs, got '"
            + batch + ":" + ms + "'");
      }
    });
    return curve;
  }

  /**
   * The RecQuery writer schemas named by {@link DeepRecOptions#QUERY_WRITER_SCHEMAS}, as JSON: each
   * file parsed here so that a bad one stops the start, naming the key and the file.
   */
  private static List<String> writerSchemas(Configuration conf) {
    String value = conf.get(DeepRecOptions.QUERY_WRITER_SCHEMAS);
    List<String> schemas = new java.util.ArrayList<>();
    if (value == null || value.isBlank()) {
      return schemas;
    }
    for (String entry : value.split(",")) {
      Path path = Path.of(entry.trim());
      List<Path> files = new java.util.ArrayList<>();
      try {
        if (Files.isDirectory(path)) {
          try (var listing = Files.list(path)) {
            listing.filter(f -> f.toString().endsWith(".avsc")).sorted().forEach(files::add);
          }
        } else {
          files.add(path);
        }
        for (Path file : files) {
          schemas.add(new org.apache.avro.Schema.Parser().parse(file.toFile()).toString());
        }
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException(DeepRecOptions.QUERY_WRITER_SCHEMAS.key() + ": cannot read a schema from "
            + path + ": " + e.getMessage(), e);
      }
    }
    return schemas;
  }

  /** Specs of the served models at the served table scale, for validation. */
  public Map<String, ModelSpec> specs() {
    Map<String, ModelSpec> specs = new LinkedHashMap<>();
    models.forEach((name, key) -> specs.put(name, ModelFactory.spec(key)));
    return specs;
  }

  /**
   * Loads each external model once, as a TaskManager will, so that a manifest that does not match
   * its module stops the start here, naming the input, before any topic or task exists.
   */
  public void checkExternalModels() {
    models.values().stream().filter(ModelKey::external).forEach(key -> {
      try (RecModel model = ModelFactory.create(key)) {
        model.spec(); // loaded and probed
      }
    });
  }


  /**
   * Checks the settings that {@link DeepRecJob} reads itself (checkpointing, Kafka delivery and
   * start), so that every bad value is refused at start, naming its key.
   */
  private static void checkJobLevel(Configuration conf) {
    checkpointInterval(conf);
    positive(conf, DeepRecOptions.TRANSACTION_TIMEOUT);
    notNegative(conf, DeepRecOptions.BUFFER_TIMEOUT);
    positive(DeepRecOptions.TOPIC_PARTITIONS.key(), conf.get(DeepRecOptions.TOPIC_PARTITIONS));
    exactlyOnce(conf);
    startsFromEarliest(conf);
  }

  /**
   * The checkpoint interval: as set, else the delivery mode's default (exactly-once wants short
   * checkpoints, since consumers see results at them; at-least-once wants throughput).
   */
  public static Duration checkpointInterval(Configuration conf) {
    if (conf.getOptional(DeepRecOptions.CHECKPOINT_INTERVAL).isPresent()) {
      return positive(conf, DeepRecOptions.CHECKPOINT_INTERVAL);
    }
    return Duration.ofMillis(exactlyOnce(conf) ? DeepRecOptions.DEFAULT_CHECKPOINT_INTERVAL_EXACTLY_ONCE_MS
        : DeepRecOptions.DEFAULT_CHECKPOINT_INTERVAL_AT_LEAST_ONCE_MS);
  }

  /** Whether results go through transactional sinks ({@code exactly-once}) or not ({@code at-least-once}). */
  public static boolean exactlyOnce(Configuration conf) {
    return enumSetting(conf, DeepRecOptions.DELIVERY) == Delivery.EXACTLY_ONCE;
  }

  /** Whether a query source without committed offsets starts from the earliest offset (else the latest). */
  public static boolean startsFromEarliest(Configuration conf) {
    return enumSetting(conf, DeepRecOptions.STARTING_OFFSETS) == StartingOffsets.EARLIEST;
  }

  /** An enum setting; a value that is not one of its constants is refused naming the key and what is allowed. */
  static <E extends Enum<E>> E enumSetting(Configuration conf, org.apache.flink.configuration.ConfigOption<E> option) {
    try {
      return conf.get(option);
    } catch (IllegalArgumentException e) {
      Object given = conf.toMap().get(option.key());
      List<String> allowed = new java.util.ArrayList<>();
      Class<?> type = option.defaultValue() != null ? option.defaultValue().getDeclaringClass() : null;
      if (type != null) {
        for (Object constant : type.getEnumConstants()) {
          allowed.add(constant.toString().toLowerCase(Locale.ROOT));
        }
      }
      throw new IllegalArgumentException(option.key() + ": expected one of " + allowed + ", got '" + given + "'", e);
    }
  }

  private static Duration positive(Configuration conf, org.apache.flink.configuration.ConfigOption<Duration> option) {
    Duration value = conf.get(option);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(option.key() + " must be > 0: " + value.toMillis() + " ms");
    }
    return value;
  }

  private static Duration notNegative(Configuration conf, org.apache.flink.configuration.ConfigOption<Duration> option) {
    Duration value = conf.get(option);
    if (value.isNegative()) {
      throw new IllegalArgumentException(option.key() + " must be >= 0: " + value.toMillis() + " ms");
    }
    return value;
  }

  private static int notNegative(String key, int value) {
    if (value < 0) {
      throw new IllegalArgumentException(key + " must be >= 0: " + value);
    }
    return value;
  }

  /** deeprecsched's parameters from the {@code deeprec.policy.*} options, each checked under its own key. */
  static SchedParameters schedParameters(Configuration conf) {
    return new SchedParameters(
        batchSizes(DeepRecOptions.BATCH_CANDIDATES, conf, true),
        batchSizes(DeepRecOptions.OFFLOAD_THRESHOLDS, conf, false),
        positive(DeepRecOptions.STEP_WINDOWS.key(), conf.get(DeepRecOptions.STEP_WINDOWS)),
        belowOne(DeepRecOptions.CAPACITY_MARGIN.key(), conf.get(DeepRecOptions.CAPACITY_MARGIN)),
        belowOne(DeepRecOptions.P95_BAND.key(), conf.get(DeepRecOptions.P95_BAND)),
        notNegative(DeepRecOptions.PLATEAU_STEPS.key(), conf.get(DeepRecOptions.PLATEAU_STEPS)),
        fraction(DeepRecOptions.LOAD_CHANGE_FRACTION.key(), conf.get(DeepRecOptions.LOAD_CHANGE_FRACTION)),
        positive(DeepRecOptions.WATCH_WINDOWS.key(), conf.get(DeepRecOptions.WATCH_WINDOWS)),
        atLeastOne(DeepRecOptions.EXPECTED_QUERY_ITEMS.key(), conf.get(DeepRecOptions.EXPECTED_QUERY_ITEMS)),
        fraction(DeepRecOptions.SEED_LATENCY_SHARE.key(), conf.get(DeepRecOptions.SEED_LATENCY_SHARE)),
        conf.get(DeepRecOptions.SKIP_LOSERS),
        conf.get(DeepRecOptions.MEDIAN_STEP_P95),
        conf.get(DeepRecOptions.MISSES_BY_CAPACITY),
        notNegative(DeepRecOptions.STEADY_START_STEPS.key(), conf.get(DeepRecOptions.STEADY_START_STEPS)),
        conf.get(DeepRecOptions.CONFIRM_WINS),
        notNegative(DeepRecOptions.MIN_STEP_QUERIES.key(), conf.get(DeepRecOptions.MIN_STEP_QUERIES)),
        conf.get(DeepRecOptions.LOAD_CHANGE_NEEDS_MISS),
        conf.get(DeepRecOptions.LOSERS_END_DIRECTION),
        conf.get(DeepRecOptions.TIES_TO_LARGER_BATCH),
        conf.get(DeepRecOptions.SATURATED_BY_CAPACITY_ONLY));
  }

  private static List<Integer> batchSizes(org.apache.flink.configuration.ConfigOption<List<Integer>> option,
      Configuration conf, boolean required) {
    List<Integer> sizes = conf.get(option);
    if (required && sizes.isEmpty()) {
      throw new IllegalArgumentException(option.key() + " must name at least one batch size");
    }
    for (int size : sizes) {
      if (size < 1 || size > BatchSettings.MAX_BATCH) {
        throw new IllegalArgumentException(option.key() + ": each size must be in [1, " + BatchSettings.MAX_BATCH
            + "]: " + size);
      }
    }
    return sizes;
  }

  /** A share in [0, 1). */
  private static double belowOne(String key, double value) {
    if (!(value >= 0 && value < 1)) {
      throw new IllegalArgumentException(key + " must be in [0, 1): " + value);
    }
    return value;
  }

  private static double atLeastOne(String key, double value) {
    if (!(value >= 1)) {
      throw new IllegalArgumentException(key + " must be >= 1: " + value);
    }
    return value;
  }

  /** A fraction in (0, 1]. */
  private static double fraction(String key, double value) {
    if (!(value > 0 && value <= 1)) {
      throw new IllegalArgumentException(key + " must be in (0, 1]: " + value);
    }
    return value;
  }

  private static int positive(String key, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(key + " must be >= 1: " + value);
    }
    return value;
  }

  private static Map<String, String> parseDirs(Map<String, String> value) {
    Map<String, String> dirs = new LinkedHashMap<>();
    if (value == null) {
      return dirs;
    }
    value.forEach((model, dir) -> {
      if (dir == null || dir.isBlank()) {
        throw new IllegalArgumentException(DeepRecOptions.MODEL_DIRS.key() + ": no directory for model '" + model + "'");
      }
      dirs.put(ModelId.servedName(model), dir.trim());
    });
    return dirs;
  }

  /**
   * A map setting ({@code k1:v1,k2:v2}); a value that is not one is refused naming the key and
   * the expected {@code pair} form.
   */
  static Map<String, String> mapSetting(Configuration conf,
      org.apache.flink.configuration.ConfigOption<Map<String, String>> option, String pair) {
    try {
      return conf.get(option);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option.key() + ": expected comma-separated " + pair + " pairs, got '"
          + conf.toMap().get(option.key()) + "'", e);
    }
  }
}

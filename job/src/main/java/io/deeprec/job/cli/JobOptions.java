package io.deeprec.job.cli;

import io.deeprec.job.DeepRecOptions;
import io.deeprec.model.EmbeddingLookup;
import io.deeprec.model.UserSideIds;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Option;

/**
 * The job's settings as CLI flags, shared by {@code deeprec run} and {@code deeprec job}. Order of
 * precedence: named flags, then {@code -D key=value}, then {@code --config-file}, then the
 * defaults documented in {@link DeepRecOptions}.
 */
public final class JobOptions {

  @Option(names = "--models", split = ",", paramLabel = "ID",
      description = "Models to serve, comma-separated: rmc1 rmc2 rmc3 wnd mtwnd ncf din dien, or an external model's "
          + "name given with --model-dir (default: " + DeepRecOptions.DEFAULT_MODEL + ").")
  List<String> models;

  @Option(names = "--policy",
      description = "Batch policy: static, fixed, timeout, aimd, deeprecsched (default: " + DeepRecOptions.DEFAULT_POLICY + ").")
  String policy;

  @Option(names = "--tier", description = "Latency-target tier: low, medium (paper targets), high (default: "
      + DeepRecOptions.DEFAULT_TIER + ").")
  String tier;

  @Option(names = "--target", paramLabel = "MODEL=MS",
      description = "p95 target in ms for a model, overriding the tier (repeatable), e.g. rmc1=50.")
  Map<String, String> targets;

  @Option(names = "--accelerator",
      description = "Accelerator path for large queries: none, simulated, gpu (default: " + DeepRecOptions.DEFAULT_ACCELERATOR + ").")
  String accelerator;

  @Option(names = "--profile-dir", paramLabel = "DIR",
      description = "Profiles from 'deeprec profile' (<model>-profile.csv) to seed deeprecsched.")
  Path profileDir;

  @Option(names = "--batch-size", description = "Items per inference request, 1-1024 (default: " + DeepRecOptions.DEFAULT_BATCH_SIZE + ").")
  Integer batchSize;

  @Option(names = "--max-queue-delay", paramLabel = "DURATION",
      description = "Max wait (e.g. 2ms) to merge a partial request with other queries' items (default: 0, no merging).")
  String maxQueueDelay;

  @Option(names = "--split", paramLabel = "full-first|balanced",
      description = "How a query larger than the batch size is cut: as many full requests as fit, then the remainder "
          + "(default), or the same number of requests as equal as possible.")
  String split;

  @Option(names = "--table-scale", description = "Factor (0,1] on embedding table rows (default: " + DeepRecOptions.DEFAULT_TABLE_SCALE + ").")
  Double tableScale;

  @Option(names = "--embedding-lookup", paramLabel = "per-table|fused",
      description = "Embedding gathers: one pooled lookup per table, as the reference (default), or one fused gather.")
  String embeddingLookup;

  @Option(names = "--user-side-ids", paramLabel = "per-item|shared",
      description = "User-side table ids: drawn per candidate, as the reference (default), or shared by a query's candidates.")
  String userSideIds;

  @Option(names = "--seed", description = "Seed of the random model weights (default: " + DeepRecOptions.DEFAULT_SEED + ").")
  Long seed;

  @Option(names = "--model-dir", paramLabel = "MODEL=DIR",
      description = "Serve MODEL from DIR (repeatable): trained parameters of a built-in model (deeprec train), e.g. "
          + "rmc1=models/rmc1, or an external TorchScript model (model.pt + deeprec-model.json), e.g. "
          + "ranker=models/ranker; list it in --models too.")
  Map<String, String> modelDirs;

  @Option(names = "--workers", description = "CPU inference workers per TaskManager (default: one per core).")
  Integer workers;

  @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
      description = "Existing Kafka cluster; its topics are created if missing.")
  String bootstrapServers;

  @Option(names = "--kafka-properties", paramLabel = "FILE",
      description = "Kafka client properties file (security.protocol, sasl.*, ssl.*): secrets go here, never on the command line.")
  Path kafkaProperties;

  @Option(names = "--delivery", description = "Result delivery: at-least-once (results visible at once, a repeat "
      + "after a failure carries the same answer) or exactly-once (transactional; read_committed consumers see results "
      + "when the next checkpoint commits) (default: " + DeepRecOptions.DEFAULT_DELIVERY + ").")
  String delivery;

  @Option(names = "--starting-offsets", description = "Where a consumer group without committed offsets starts "
      + "reading queries: latest or earliest (default: " + DeepRecOptions.DEFAULT_STARTING_OFFSETS + ").")
  String startingOffsets;

  @Option(names = "--checkpoint-interval", paramLabel = "DURATION",
      description = "Checkpoint interval, e.g. 500ms (default: "
          + DeepRecOptions.DEFAULT_CHECKPOINT_INTERVAL_AT_LEAST_ONCE_MS + " ms at-least-once, "
          + DeepRecOptions.DEFAULT_CHECKPOINT_INTERVAL_EXACTLY_ONCE_MS + " ms exactly-once).")
  String checkpointInterval;

  @Option(names = "--config-file", paramLabel = "FILE",
      description = "Java properties file of deeprec.* (and Flink) keys.")
  Path configFile;

  @Option(names = "-D", paramLabel = "KEY=VALUE", description = "Any deeprec.* or Flink configuration key.")
  Map<String, String> dynamicProperties = new LinkedHashMap<>();

  /** The resulting configuration; {@code bootstrapOverride} (the embedded broker) wins when set. */
  public Configuration toConfiguration(String bootstrapOverride) {
    Map<String, String> values = new LinkedHashMap<>();
    if (configFile != null) {
      Properties props = new Properties();
      try (InputStream in = Files.newInputStream(configFile)) {
        props.load(in);
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read config file " + configFile + ": " + e.getMessage(), e);
      }
      props.stringPropertyNames().forEach(name -> values.put(name, props.getProperty(name)));
    }
    values.putAll(dynamicProperties);
    Configuration conf = Configuration.fromMap(values);
    if (models != null) {
      conf.set(DeepRecOptions.MODELS, models);
    }
    setIfPresent(conf, DeepRecOptions.POLICY, policy);
    setIfPresent(conf, DeepRecOptions.BATCH_SIZE, batchSize);
    setTextIfPresent(conf, DeepRecOptions.SLA_TIER, tier);
    if (targets != null && !targets.isEmpty()) {
      conf.set(DeepRecOptions.SLA_TARGETS, new java.util.LinkedHashMap<>(targets));
    }
    setTextIfPresent(conf, DeepRecOptions.ACCELERATOR_MODE, accelerator);
    if (profileDir != null) {
      conf.set(DeepRecOptions.PROFILE_DIR, profileDir.toString());
    }
    if (maxQueueDelay != null) {
      conf.setString(DeepRecOptions.MAX_QUEUE_DELAY.key(), maxQueueDelay);
    }
    setTextIfPresent(conf, DeepRecOptions.SPLIT, split);
    setIfPresent(conf, DeepRecOptions.TABLE_SCALE, tableScale);
    setIfPresent(conf, DeepRecOptions.SEED, seed);
    if (embeddingLookup != null) {
      conf.set(DeepRecOptions.EMBEDDING_LOOKUP, EmbeddingLookup.parse(embeddingLookup));
    }
    if (userSideIds != null) {
      conf.set(DeepRecOptions.USER_SIDE_IDS, UserSideIds.parse(userSideIds));
    }
    if (modelDirs != null && !modelDirs.isEmpty()) {
      conf.set(DeepRecOptions.MODEL_DIRS, new java.util.LinkedHashMap<>(modelDirs));
    }
    setIfPresent(conf, DeepRecOptions.WORKERS, workers);
    setIfPresent(conf, DeepRecOptions.BOOTSTRAP_SERVERS, bootstrapOverride != null ? bootstrapOverride : bootstrapServers);
    if (kafkaProperties != null) {
      conf.set(DeepRecOptions.KAFKA_PROPERTIES_FILE, kafkaProperties.toString());
    }
    setTextIfPresent(conf, DeepRecOptions.DELIVERY, delivery);
    setTextIfPresent(conf, DeepRecOptions.STARTING_OFFSETS, startingOffsets);
    if (checkpointInterval != null) {
      conf.setString(DeepRecOptions.CHECKPOINT_INTERVAL.key(), checkpointInterval);
    }
    return conf;
  }

  static Duration parseDuration(String text) {
    return org.apache.flink.util.TimeUtils.parseDuration(text);
  }

  /** Sets a typed option from its text, so that a bad value is refused at start as any -D value is. */
  private static void setTextIfPresent(Configuration conf, ConfigOption<?> option, String value) {
    if (value != null) {
      conf.setString(option.key(), value);
    }
  }

  private static <T> void setIfPresent(Configuration conf, ConfigOption<T> option, T value) {
    if (value != null) {
      conf.set(option, value);
    }
  }
}

package io.deeprec.job;

import io.deeprec.model.EmbeddingLookup;
import io.deeprec.model.LatencyTier;
import io.deeprec.sched.SchedParameters;
import io.deeprec.sched.SplitRule;
import io.deeprec.model.UserSideIds;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * Every setting of the job, as Flink {@link ConfigOption}s: set them in a Flink config file, with
 * {@code -D key=value} on the CLI, or through the named CLI flags. Durations take Flink's syntax
 * ({@code 500 ms}, {@code 30 s}).
 */
public final class DeepRecOptions {

  private DeepRecOptions() {}

  // Defaults that CLI help texts quote: one constant each, so help, README and options agree.
  public static final String DEFAULT_MODEL = "rmc1";
  public static final double DEFAULT_TABLE_SCALE = 0.01;
  public static final long DEFAULT_SEED = 42L;
  public static final String DEFAULT_POLICY = "fixed";
  public static final String DEFAULT_TIER = "medium";
  public static final String DEFAULT_ACCELERATOR = "none";
  public static final int DEFAULT_BATCH_SIZE = 64;
  public static final String DEFAULT_DELIVERY = "at-least-once";
  public static final String DEFAULT_STARTING_OFFSETS = "latest";
  public static final long DEFAULT_CHECKPOINT_INTERVAL_AT_LEAST_ONCE_MS = 2000;
  public static final long DEFAULT_CHECKPOINT_INTERVAL_EXACTLY_ONCE_MS = 200;
  /** Request latency (ms) per batch size of rmc1 at full size on an NVIDIA H200 (docs/gpu/). */
  private static final Map<String, String> H200_RMC1_CURVE = curve(
      "1", "0.669", "2", "0.607", "4", "0.573", "8", "0.431", "16", "0.385", "32", "0.636", "64", "0.622", "128", "0.712",
      "256", "0.706", "512", "0.675", "1024", "0.655");

  private static Map<String, String> curve(String... batchThenMs) {
    Map<String, String> curve = new LinkedHashMap<>();
    for (int i = 0; i < batchThenMs.length; i += 2) {
      curve.put(batchThenMs[i], batchThenMs[i + 1]);
    }
    return curve;
  }

  public static final ConfigOption<List<String>> MODELS = ConfigOptions.key("deeprec.models")
      .stringType().asList().defaultValues(DEFAULT_MODEL)
      .withDescription("Models this job serves: built-in ids (rmc1 rmc2 rmc3 wnd mtwnd ncf din dien) or the names "
          + "of external TorchScript models given in deeprec.model.dirs; queries naming another model are dead-lettered.");

  public static final ConfigOption<Double> TABLE_SCALE = ConfigOptions.key("deeprec.model.table-scale")
      .doubleType().defaultValue(DEFAULT_TABLE_SCALE)
      .withDescription("Factor (0, 1] on every embedding table's row count; 1.0 is the reference size "
          + "(0.1-4.1 GB per model). Shapes other than rows are kept. Default 0.01 fits a laptop.");

  public static final ConfigOption<Long> SEED = ConfigOptions.key("deeprec.model.seed")
      .longType().defaultValue(DEFAULT_SEED)
      .withDescription("Seed of the random weights (the reference serves random weights); same seed, same scores.");

  public static final ConfigOption<Map<String, String>> MODEL_DIRS = ConfigOptions.key("deeprec.model.dirs")
      .mapType().noDefaultValue()
      .withDescription("Model directories, a map of model to directory, e.g. 'rmc1:/models/rmc1,ranker:/models/ranker' "
          + "(quote a path that holds ',' or ':' with single quotes; the CLI's --model-dir MODEL=DIR sets it): "
          + "trained parameters of a built-in model (written by 'deeprec train'), or an external model (a TorchScript "
          + "model.pt with its deeprec-model.json manifest, served under the manifest's name). Every TaskManager must "
          + "read the same path; the submitting client loads external models once to check them.");

  public static final ConfigOption<EmbeddingLookup> EMBEDDING_LOOKUP = ConfigOptions.key("deeprec.model.embedding-lookup")
      .enumType(EmbeddingLookup.class).defaultValue(EmbeddingLookup.PER_TABLE)
      .withDescription("How a model gathers its embedding rows: 'per-table' (one pooled lookup per table, as the "
          + "reference runs them) or 'fused' (every table in one gather per request). Same scores either way.");

  public static final ConfigOption<String> QUERY_WRITER_SCHEMAS = ConfigOptions.key("deeprec.schema.query-writers")
      .stringType().noDefaultValue()
      .withDescription("Other versions of the RecQuery schema that producers write with: comma-separated .avsc files or "
          + "directories of them. A compatible version (fields added with defaults, optional fields left out) is read "
          + "into the job's RecQuery; records of an incompatible one are dead-lettered with the reason.");

  public static final ConfigOption<UserSideIds> USER_SIDE_IDS = ConfigOptions.key("deeprec.features.user-side-ids")
      .enumType(UserSideIds.class).defaultValue(UserSideIds.PER_ITEM)
      .withDescription("How the feature store draws the ids of user-side tables for a query's candidates: "
          + "'per-item' (every candidate its own rows, as the reference's inputs and the profiler) or 'shared' "
          + "(the candidates of a query share the user's rows, as a real ranking service; serve models from "
          + "'deeprec train' this way).");

  public static final ConfigOption<String> POLICY = ConfigOptions.key("deeprec.batch.policy")
      .stringType().defaultValue(DEFAULT_POLICY)
      .withDescription("Batch policy of every served model: 'static' (a whole query is one request, the paper's "
          + "baseline), 'fixed' (requests of deeprec.batch.size items), 'timeout' (Triton-style: merge up to "
          + "deeprec.batch.size items or until deeprec.batch.max-queue-delay, 2 ms when 0), 'aimd' (Clipper-style "
          + "additive increase / multiplicative decrease of the batch size against the p95 target), 'deeprecsched' "
          + "(climbs the batch-size ladder, then the offload threshold: among the settings whose measured p95 meets the "
          + "target, the one with the most measured capacity; docs/scheduler.md).");

  public static final ConfigOption<LatencyTier> SLA_TIER = ConfigOptions.key("deeprec.sla.tier")
      .enumType(LatencyTier.class).defaultValue(LatencyTier.MEDIUM)
      .withDescription("Latency-target tier: 'low' (0.5x), 'medium' (the paper's p95 targets: ncf 5 ms, wnd and mtwnd "
          + "25, rmc1 100, rmc2 400, rmc3 100, din 100, dien 35), 'high' (1.5x).");

  public static final ConfigOption<Map<String, String>> SLA_TARGETS = ConfigOptions.key("deeprec.sla.p95-targets")
      .mapType().noDefaultValue()
      .withDescription("Per-model p95 targets in ms that override the tier, a map of served model to ms, e.g. "
          + "'rmc1:50,wnd:20' (the CLI's --target MODEL=MS sets it).");

  public static final ConfigOption<Integer> STEP_WINDOWS = ConfigOptions.key("deeprec.policy.windows-per-step")
      .intType().defaultValue(SchedParameters.DEFAULTS.windowsPerStep())
      .withDescription("deeprecsched: metrics windows measured per step of its climb (after one transition window), "
          + ">= 1. Fewer react faster, more are steadier under noise.");

  public static final ConfigOption<Integer> WATCH_WINDOWS = ConfigOptions.key("deeprec.policy.watch-windows")
      .intType().defaultValue(SchedParameters.DEFAULTS.watchWindows())
      .withDescription("deeprecsched: rolling metrics windows compared against the converged load to detect a load "
          + "change and explore again, >= 1.");

  public static final ConfigOption<Double> LOAD_CHANGE_FRACTION = ConfigOptions.key("deeprec.policy.load-change-fraction")
      .doubleType().defaultValue(SchedParameters.DEFAULTS.loadChangeFraction())
      .withDescription("deeprecsched: relative change of the completed load, over the watched windows against the load "
          + "its choice settled at, that explores again, in (0, 1]. Smaller follows the load sooner, larger explores "
          + "less often (each exploration measures worse settings under the live load).");

  public static final ConfigOption<List<Integer>> BATCH_CANDIDATES = ConfigOptions.key("deeprec.policy.batch-candidates")
      .intType().asList().defaultValues(SchedParameters.DEFAULTS.batchCandidates().toArray(Integer[]::new))
      .withDescription("deeprecsched: the batch sizes its climb may choose, each in [1, 1024], separated by ';' "
          + "(sizes above the largest query seen collapse into one rung).");

  public static final ConfigOption<List<Integer>> OFFLOAD_THRESHOLDS = ConfigOptions.key("deeprec.policy.offload-thresholds")
      .intType().asList().defaultValues(SchedParameters.DEFAULTS.offloadThresholds().toArray(Integer[]::new))
      .withDescription("deeprecsched: query sizes (items) its climb tries as the offload threshold when an "
          + "accelerator path exists, each in [1, 1024], separated by ';'.");

  public static final ConfigOption<Double> CAPACITY_MARGIN = ConfigOptions.key("deeprec.policy.capacity-margin")
      .doubleType().defaultValue(SchedParameters.DEFAULTS.capacityMargin())
      .withDescription("deeprecsched: relative difference of two settings' measured capacity below which they tie, "
          + "in [0, 1); also how near its capacity a setting's load must be for it to count as saturated.");

  public static final ConfigOption<Double> P95_BAND = ConfigOptions.key("deeprec.policy.p95-band")
      .doubleType().defaultValue(SchedParameters.DEFAULTS.p95Band())
      .withDescription("deeprecsched: relative difference of two settings' measured p95 below which they tie, in [0, 1).");

  public static final ConfigOption<Integer> PLATEAU_STEPS = ConfigOptions.key("deeprec.policy.plateau-steps")
      .intType().defaultValue(SchedParameters.DEFAULTS.plateauSteps())
      .withDescription("deeprecsched: tied rungs its climb walks through before it ends a direction, >= 0.");

  public static final ConfigOption<Double> EXPECTED_QUERY_ITEMS = ConfigOptions.key("deeprec.policy.expected-query-items")
      .doubleType().defaultValue(SchedParameters.DEFAULTS.expectedQueryItems())
      .withDescription("deeprecsched: mean query size (items) assumed until sizes are observed, >= 1.");

  public static final ConfigOption<Double> SEED_LATENCY_SHARE = ConfigOptions.key("deeprec.policy.seed-latency-share")
      .doubleType().defaultValue(SchedParameters.DEFAULTS.seedLatencyShare())
      .withDescription("deeprecsched: share of the target a typical query may take unloaded under the batch size "
          + "it starts from (chosen from the profile), in (0, 1].");

  public static final ConfigOption<Boolean> SKIP_LOSERS = ConfigOptions.key("deeprec.policy.skip-losers")
      .booleanType().defaultValue(SchedParameters.DEFAULTS.skipLosers())
      .withDescription("deeprecsched: whether its climb skips rungs measured earlier with clearly less capacity than "
          + "a best that meets the target.");

  public static final ConfigOption<Boolean> LOSERS_END_DIRECTION = ConfigOptions.key("deeprec.policy.losers-end-direction")
      .booleanType().defaultValue(SchedParameters.DEFAULTS.losersEndDirection())
      .withDescription("deeprecsched: whether a rung skipped as a loser ends its climb's walk in that direction "
          + "(else the walk steps over it).");

  public static final ConfigOption<Boolean> CONFIRM_WINS = ConfigOptions.key("deeprec.policy.confirm-wins")
      .booleanType().defaultValue(SchedParameters.DEFAULTS.confirmWins())
      .withDescription("deeprecsched: whether a rung that beats the best must also beat the best measured again "
          + "right after it (the mean of its two measurements).");

  public static final ConfigOption<Boolean> MEDIAN_STEP_P95 = ConfigOptions.key("deeprec.policy.median-step-p95")
      .booleanType().defaultValue(SchedParameters.DEFAULTS.medianStepP95())
      .withDescription("deeprecsched: whether a step's p95 is the median of its windows' p95s (else their mean).");

  public static final ConfigOption<Boolean> MISSES_BY_CAPACITY = ConfigOptions.key("deeprec.policy.misses-by-capacity")
      .booleanType().defaultValue(SchedParameters.DEFAULTS.missesByCapacity())
      .withDescription("deeprecsched: whether clearly more capacity decides between two settings that both miss the "
          + "target even when neither runs saturated (else the lower p95 does).");

  public static final ConfigOption<Integer> STEADY_START_STEPS = ConfigOptions.key("deeprec.policy.steady-start-steps")
      .intType().defaultValue(SchedParameters.DEFAULTS.steadyStartSteps())
      .withDescription("deeprecsched: how often at most a climb's start is measured again until its capacity holds "
          + "still, >= 0 (0 = never).");

  public static final ConfigOption<Integer> MIN_STEP_QUERIES = ConfigOptions.key("deeprec.policy.min-step-queries")
      .intType().defaultValue(SchedParameters.DEFAULTS.minStepQueries())
      .withDescription("deeprecsched: queries a step measures at least (its windows run on until they hold this "
          + "many), >= 0 (0 = the windows alone).");

  public static final ConfigOption<Boolean> LOAD_CHANGE_NEEDS_MISS = ConfigOptions.key("deeprec.policy.load-change-needs-miss")
      .booleanType().defaultValue(SchedParameters.DEFAULTS.loadChangeNeedsMiss())
      .withDescription("deeprecsched: whether a load change explores again only when its choice misses the target "
          + "at the new load (else every load change does).");

  public static final ConfigOption<Boolean> TIES_TO_LARGER_BATCH = ConfigOptions.key("deeprec.policy.ties-to-larger-batch")
      .booleanType().defaultValue(SchedParameters.DEFAULTS.tiesToLargerBatch())
      .withDescription("deeprecsched: whether, of two settings that tie by capacity and by p95, its climb keeps the "
          + "one with the larger batch size (else the one it measured first).");

  public static final ConfigOption<Boolean> SATURATED_BY_CAPACITY_ONLY = ConfigOptions.key(
      "deeprec.policy.saturated-by-capacity-only")
      .booleanType().defaultValue(SchedParameters.DEFAULTS.saturatedByCapacityOnly())
      .withDescription("deeprecsched: whether, between two settings that miss the target while either runs "
          + "saturated, capacity alone decides and a capacity tie stays a tie (else the lower p95 breaks it).");

  /** The options that set deeprecsched's parameters ({@code SchedParameters}), one per parameter. */
  public static List<ConfigOption<?>> schedParameterOptions() {
    return List.of(BATCH_CANDIDATES, OFFLOAD_THRESHOLDS, STEP_WINDOWS, CAPACITY_MARGIN, P95_BAND, PLATEAU_STEPS,
        LOAD_CHANGE_FRACTION, WATCH_WINDOWS, EXPECTED_QUERY_ITEMS, SEED_LATENCY_SHARE, SKIP_LOSERS, MEDIAN_STEP_P95,
        MISSES_BY_CAPACITY, STEADY_START_STEPS, CONFIRM_WINS, MIN_STEP_QUERIES, LOAD_CHANGE_NEEDS_MISS,
        LOSERS_END_DIRECTION, TIES_TO_LARGER_BATCH, SATURATED_BY_CAPACITY_ONLY);
  }

  public static final ConfigOption<String> PROFILE_DIR = ConfigOptions.key("deeprec.policy.profile-dir")
      .stringType().noDefaultValue()
      .withDescription("Directory of '<model>-profile.csv' files written by 'deeprec profile'; seeds deeprecsched's "
          + "first batch size from the measured curve.");

  public static final ConfigOption<AcceleratorChoice> ACCELERATOR_MODE = ConfigOptions.key("deeprec.accelerator.mode")
      .enumType(AcceleratorChoice.class).defaultValue(AcceleratorChoice.NONE)
      .withDescription("Accelerator path for large queries: 'none'; 'simulated' (a batch -> latency curve stands in "
          + "for a GPU, results say device=simulated-gpu); 'gpu' (DJL on the GPU Flink assigns: the operator runs in "
          + "slot sharing group 'gpu' requesting external resource 'gpu').");

  public static final ConfigOption<Map<String, String>> ACCELERATOR_LATENCY =
      ConfigOptions.key("deeprec.accelerator.latency-curve").mapType().defaultValue(H200_RMC1_CURVE)
      .withDescription("Simulated accelerator: request latency in ms per batch size, a map 'batch:ms,...', log-interpolated. "
          + "The default is rmc1 at full table size measured on an NVIDIA H200 with PyTorch 2.11 (median, inputs "
          + "copied from host memory and scores back; docs/gpu/, deploy/gpu/measure_gpu_curve.py).");

  public static final ConfigOption<Integer> ACCELERATOR_THRESHOLD = ConfigOptions.key("deeprec.accelerator.threshold")
      .intType().defaultValue(256)
      .withDescription("Initial offload threshold (candidates) for non-adaptive policies when an accelerator is "
          + "configured; deeprecsched tunes its own. 0 = never offload.");

  public static final ConfigOption<Integer> ACCELERATOR_CAPACITY = ConfigOptions.key("deeprec.accelerator.capacity")
      .intType().defaultValue(4)
      .withDescription("Queries in flight per accelerator subtask (they run one at a time; the rest wait).");

  public static final ConfigOption<Integer> BATCH_SIZE = ConfigOptions.key("deeprec.batch.size")
      .intType().defaultValue(DEFAULT_BATCH_SIZE)
      .withDescription("Items per inference request (1-1024) for the fixed policy; a query of N items "
          + "becomes ceil(N / size) requests run in parallel.");

  public static final ConfigOption<Duration> MAX_QUEUE_DELAY = ConfigOptions.key("deeprec.batch.max-queue-delay")
      .durationType().defaultValue(Duration.ZERO)
      .withDescription("Policy 'timeout' only: how long a request smaller than the batch size may wait to be filled "
          + "with items of other queries (0 means the 2 ms default). The other policies release requests at once.");

  public static final ConfigOption<SplitRule> SPLIT = ConfigOptions.key("deeprec.batch.split")
      .enumType(SplitRule.class).defaultValue(SplitRule.DEFAULT)
      .withDescription("How a query larger than the batch size is cut when requests are not merged (every policy but "
          + "'timeout'): 'full-first' (as many full requests as fit, then the remainder: 167 items at 128 are 128 + 39) "
          + "or 'balanced' (the same number of requests, as equal as possible: 84 + 83). The request count and the "
          + "work are the same; a query waits for its largest part.");

  public static final ConfigOption<Integer> SHARDS = ConfigOptions.key("deeprec.batch.shards")
      .intType().defaultValue(0)
      .withDescription("Batcher keys per model (model#shard), so one model's load spreads over subtasks; "
          + "0 = the job parallelism.");

  public static final ConfigOption<Integer> WORKERS = ConfigOptions.key("deeprec.inference.workers")
      .intType().defaultValue(0)
      .withDescription("Single-threaded CPU inference workers per TaskManager JVM, pulling from one shared "
          + "queue; 0 = one per available core.");

  public static final ConfigOption<Integer> CAPACITY = ConfigOptions.key("deeprec.inference.capacity")
      .intType().defaultValue(32)
      .withDescription("Requests in flight per inference subtask (async operator capacity); when full the "
          + "operator backpressures.");

  public static final ConfigOption<Duration> INFERENCE_TIMEOUT = ConfigOptions.key("deeprec.inference.timeout")
      .durationType().defaultValue(Duration.ofSeconds(30))
      .withDescription("A request not scored within this time is answered REJECTED ('inference timed out').");

  public static final ConfigOption<Boolean> REQUIRE_DEADLINE = ConfigOptions.key("deeprec.query.require-deadline")
      .booleanType().defaultValue(false)
      .withDescription("Whether a query without deadlineMs is refused (dead-lettered). Queries whose deadline has "
          + "passed are answered EXPIRED without model time, whatever this says.");

  public static final ConfigOption<Duration> MAX_AGE = ConfigOptions.key("deeprec.query.max-age")
      .durationType().defaultValue(Duration.ofSeconds(10))
      .withDescription("A query older than this (since its arrivalTimeMs) when the job reads it is answered EXPIRED "
          + "without model time and counted in expiredCount: after an outage or a backlog, stale queries are shed "
          + "instead of delaying fresh ones. Must be > 0.");

  public static final ConfigOption<Integer> WARMUP_QUERIES = ConfigOptions.key("deeprec.warmup.queries")
      .intType().defaultValue(400)
      .withDescription("Fewest synthetic queries per model that the job sends through its own path (queries topic, "
          + "source, validation, batcher, inference, reassembly) at every start and restart before it announces "
          + "readiness; it goes on while the p95 of the last window of them (half this many, at least 20) is still "
          + "more than 10% better than the window before's. Their results are not published. At least one reaches every "
          + "partition of the queries topic whatever this says, so that a query sent after readiness is never "
          + "skipped. >= 0.");

  public static final ConfigOption<Duration> WARMUP_TIMEOUT = ConfigOptions.key("deeprec.warmup.timeout")
      .durationType().defaultValue(Duration.ofMinutes(2))
      .withDescription("Longest warm-up: readiness is announced then (event 'ready-not-warm') if every partition was "
          + "reached but a model is not warm yet. Must be > 0.");

  public static final ConfigOption<Integer> MAX_CANDIDATES = ConfigOptions.key("deeprec.query.max-candidates")
      .intType().defaultValue(1024)
      .withDescription("Largest number of candidates a query may carry (1-1024); larger ones are dead-lettered.");

  public static final ConfigOption<Duration> ABANDON_AFTER = ConfigOptions.key("deeprec.reassembly.abandon-after")
      .durationType().defaultValue(Duration.ofSeconds(120))
      .withDescription("A split query still missing parts after this long is answered REJECTED, so no query "
          + "waits forever.");

  public static final ConfigOption<Duration> METRICS_WINDOW = ConfigOptions.key("deeprec.metrics.window")
      .durationType().defaultValue(Duration.ofSeconds(1))
      .withDescription("Length of the processing-time windows of the metrics topic.");

  public static final ConfigOption<String> QUERIES_TOPIC = ConfigOptions.key("deeprec.topic.queries")
      .stringType().defaultValue("deeprec.queries").withDescription("Input topic of RecQuery records.");

  public static final ConfigOption<String> RESULTS_TOPIC = ConfigOptions.key("deeprec.topic.results")
      .stringType().defaultValue("deeprec.results").withDescription("Output topic of RecResult records, keyed by query id.");

  public static final ConfigOption<String> METRICS_TOPIC = ConfigOptions.key("deeprec.topic.metrics")
      .stringType().defaultValue("deeprec.metrics").withDescription("Output topic of MetricsSnapshot records, keyed by model.");

  public static final ConfigOption<String> DEAD_LETTER_TOPIC = ConfigOptions.key("deeprec.topic.dead-letter")
      .stringType().defaultValue("deeprec.dead-letter").withDescription("Output topic of DeadLetter records.");

  public static final ConfigOption<String> CONTROL_TOPIC = ConfigOptions.key("deeprec.topic.control")
      .stringType().defaultValue("deeprec.control")
      .withDescription("Control topic of ControlDecision records keyed by model: the controller's decisions, and manual "
          + "overrides from any producer (pinned=true holds a model's settings until a pinned=false record releases it).");

  public static final ConfigOption<String> BOOTSTRAP_SERVERS = ConfigOptions.key("deeprec.kafka.bootstrap-servers")
      .stringType().noDefaultValue()
      .withDescription("Kafka bootstrap servers (host:port,...). Required when the job runs on a cluster.");

  public static final ConfigOption<String> GROUP_ID = ConfigOptions.key("deeprec.kafka.group-id")
      .stringType().defaultValue("deeprec-job").withDescription("Consumer group of the query source (offsets live in checkpoints).");

  public static final ConfigOption<String> KAFKA_PROPERTIES_FILE = ConfigOptions.key("deeprec.kafka.properties-file")
      .stringType().noDefaultValue()
      .withDescription("A Java properties file of extra Kafka client settings (security.protocol, sasl.*, "
          + "ssl.*) applied to the source, the sinks and the admin client. Secrets belong here, not on the command line.");

  public static final ConfigOption<Delivery> DELIVERY = ConfigOptions.key("deeprec.kafka.delivery")
      .enumType(Delivery.class).defaultValue(Delivery.AT_LEAST_ONCE)
      .withDescription("Result delivery guarantee of the Kafka sinks. 'at-least-once' (default): a result is "
          + "visible to consumers as soon as it is written; after a failure the job replays from its last checkpoint, "
          + "so a result may be written again, with the same key (query id) and the same items and scores: "
          + "consumers deduplicate by key. 'exactly-once': transactional sinks; a restart neither loses nor repeats "
          + "a result, and read_committed consumers see a result when the checkpoint after it completes (adds about "
          + "half a checkpoint interval plus the checkpoint and commit to the latency they see). Applies to the "
          + "results and dead-letter topics; metrics windows and control decisions are always written at least once "
          + "(observations, not answers: the control loop does not wait for commits).");

  public static final ConfigOption<StartingOffsets> STARTING_OFFSETS = ConfigOptions.key("deeprec.kafka.starting-offsets")
      .enumType(StartingOffsets.class).defaultValue(StartingOffsets.LATEST)
      .withDescription("Where the query source starts when its consumer group has no committed offset: 'latest' "
          + "(default: only queries sent after the job started; queries left in the topic by earlier runs are not "
          + "this job's) or 'earliest' (the whole topic). A restart from a checkpoint always resumes from the "
          + "checkpointed offsets, and a group with committed offsets resumes from them.");

  public static final ConfigOption<Duration> TRANSACTION_TIMEOUT = ConfigOptions.key("deeprec.kafka.transaction-timeout")
      .durationType().defaultValue(Duration.ofMinutes(10))
      .withDescription("Kafka transaction timeout of the exactly-once sinks; must not exceed the brokers' "
          + "transaction.max.timeout.ms (15 min by default), and should exceed the longest expected recovery.");

  public static final ConfigOption<Integer> TOPIC_PARTITIONS = ConfigOptions.key("deeprec.kafka.topic-partitions")
      .intType().defaultValue(4)
      .withDescription("Partitions of topics the job creates when they are missing (existing topics are kept).");

  public static final ConfigOption<Duration> BUFFER_TIMEOUT = ConfigOptions.key("deeprec.network.buffer-timeout")
      .durationType().defaultValue(Duration.ZERO)
      .withDescription("Longest time a record may wait in a network buffer between operators. Flink's default "
          + "(100 ms) adds up to 100 ms per hop at low rates, which a 5-100 ms latency target cannot afford; "
          + "0 flushes after every record (costs some throughput at high rates).");

  public static final ConfigOption<Duration> CHECKPOINT_INTERVAL = ConfigOptions.key("deeprec.checkpoint.interval")
      .durationType().noDefaultValue()
      .withDescription("Checkpoint interval: Kafka offsets, buffered queries, in-flight requests and partial "
          + "reassemblies are all in checkpointed state. When unset: " + DEFAULT_CHECKPOINT_INTERVAL_AT_LEAST_ONCE_MS
          + " ms with at-least-once delivery (checkpoints only bound what a restart replays; on 2 cores, 200 ms "
          + "checkpoints cost about a third of the throughput) and " + DEFAULT_CHECKPOINT_INTERVAL_EXACTLY_ONCE_MS
          + " ms with exactly-once (read_committed consumers see a result at the checkpoint after it; docs/delivery.md "
          + "has the table). Must be > 0.");
}

package io.deeprec.job.bench;

import io.deeprec.job.DeepRecJob;
import io.deeprec.job.DeepRecOptions;
import io.deeprec.job.JobSettings;
import io.deeprec.job.LocalCluster;
import io.deeprec.job.kafka.EmbeddedKafkaBroker;
import io.deeprec.job.kafka.KafkaSettings;
import io.deeprec.job.load.CpuByStage;
import io.deeprec.job.load.JobReadiness;
import io.deeprec.job.load.OpenLoopSender;
import io.deeprec.job.load.QueryGenerator;
import io.deeprec.workload.QuerySizes;
import io.deeprec.job.load.ResultTracker;
import io.deeprec.schema.RecQuery;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.Locale;
import io.deeprec.job.kafka.TopicReader;
import io.deeprec.schema.ControlDecision;
import io.deeprec.schema.SingleObjectCodec;
import io.deeprec.sched.BatchSettings;
import io.deeprec.sched.sim.ServingSimulator;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The full serving path for the benchmark: the embedded Kafka broker, the job on a local Flink
 * MiniCluster (as {@code deeprec run} starts it), the open-loop sender and the result tracker.
 * Each (model, policy) gets its own job and topics, so no query of an earlier job is replayed. A
 * probe sends at one rate for the warm-up, then for the measured span, and judges the end-to-end
 * latency over the measured span (the producer's send to this consumer's receipt of the result);
 * the job's own latency (completion - arrival) is kept beside it, as the probe's window p95.
 *
 * <p>An adaptive policy is measured once it has settled, as in the in-process harness; from outside
 * the job that means its controller has published no new decision on the control topic for a
 * while (a climbing deeprecsched publishes one per step, every few metrics windows).
 */
final class FlinkKafkaPath implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofMinutes(5);
  /** The probe's timings, as the simulator's sessions replay them (one copy). */
  private static final ServingSimulator.ProbePlan PLAN = ServingSimulator.ProbePlan.PRODUCT;
  private static final Duration DRAIN_TIMEOUT = Duration.ofMillis((long) PLAN.drainTimeoutMs());
  /** Warm-up sent in chunks of this length past its shortest, the control topic and the backlog read between them. */
  private static final long WARMUP_CHUNK_MS = 1000;

  private final EmbeddedKafkaBroker broker;
  private final String runId = Long.toString(System.currentTimeMillis(), 36);
  private int sessions;

  FlinkKafkaPath() {
    this.broker = EmbeddedKafkaBroker.start();
  }

  /** Starts the job for one model and policy; close the session to cancel it. */
  Session open(String model, String modelDir, String policy, int batchSize, double targetMs, double tableScale, long seed,
      int workers, int parallelism, Path profileDir) throws Exception {
    // Topic names allow letters, digits, '.', '_' and '-': a contender's settings ('@key=value') are folded.
    String prefix = "bench-" + runId + "-" + model + "-" + policy.replaceAll("[^A-Za-z0-9._-]", "_")
        + (batchSize > 0 ? batchSize : "") + "-" + sessions++;
    Configuration conf = servingConfiguration(model, modelDir, policy, batchSize, targetMs, tableScale, seed, workers,
        profileDir);
    conf.set(DeepRecOptions.BOOTSTRAP_SERVERS, broker.bootstrapServers());
    conf.set(DeepRecOptions.QUERIES_TOPIC, prefix + ".queries");
    conf.set(DeepRecOptions.RESULTS_TOPIC, prefix + ".results");
    conf.set(DeepRecOptions.METRICS_TOPIC, prefix + ".metrics");
    conf.set(DeepRecOptions.DEAD_LETTER_TOPIC, prefix + ".dead-letter");
    conf.set(DeepRecOptions.CONTROL_TOPIC, prefix + ".control");
    conf.set(DeepRecOptions.GROUP_ID, prefix);
    Configuration flinkConf = new Configuration();
    flinkConf.set(RestOptions.BIND_PORT, "0");
    // One TaskManager with a slot per subtask, as a local environment has; the cluster tells restarts.
    LocalCluster cluster = new LocalCluster(flinkConf, 1, parallelism);
    Session session = null;
    try {
      StreamExecutionEnvironment env = cluster.environment(flinkConf, parallelism);
      JobSettings settings = DeepRecJob.define(env, conf);
      KafkaSettings kafka = KafkaSettings.from(conf);
      long submittedMs = System.currentTimeMillis();
      JobClient client = env.executeAsync(DeepRecJob.jobName(settings));
      io.deeprec.sched.BatchPolicy configured = settings.policies().get(model);
      // A policy settled before it saw any window (AIMD) never stops adjusting: waiting for its
      // controller to fall quiet would wait for the cap; it warms up for the adaptive minimum instead.
      session = new Session(model, prefix, settings, kafka, cluster, client, targetMs, configured.adaptive(),
          configured.adaptive() && !configured.settled(), configured.settings());
      try (JobReadiness readiness = new JobReadiness(kafka.clientProperties(), settings.metricsTopic())) {
        session.awaitReady(readiness, submittedMs);
      }
      return session;
    } catch (Exception e) {
      // A session owns the cluster: closing it cancels the job and stops the cluster.
      if (session != null) {
        session.close();
      } else {
        cluster.close();
      }
      throw e;
    }
  }

  /**
   * The job's settings for one model and policy, without its Kafka topics: what {@link #open} submits, and what
   * the in-process harness builds its policy from beside it ({@code JobSettings.from(...).policies()}), so both
   * serve the same policy with the same seed.
   *
   * @param policy a policy's CLI name, optionally with settings of its own: {@code NAME@KEY=VALUE@...}, each KEY
   *     a {@code deeprec.policy.*} option without that prefix ({@code deeprecsched@load-change-fraction=0.5}) or
   *     {@code deeprec.batch.split} in full
   */
  static Configuration servingConfiguration(String model, String modelDir, String policy, int batchSize,
      double targetMs, double tableScale, long seed, int workers, Path profileDir) {
    Configuration conf = new Configuration();
    conf.set(DeepRecOptions.MODELS, List.of(model));
    if (modelDir != null) {
      conf.set(DeepRecOptions.MODEL_DIRS, java.util.Map.of(model, modelDir));
    }
    String[] parts = policy.split("@", -1);
    conf.set(DeepRecOptions.POLICY, parts[0]);
    for (int i = 1; i < parts.length; i++) {
      int eq = parts[i].indexOf('=');
      if (eq <= 0 || eq == parts[i].length() - 1) {
        throw new IllegalArgumentException("a policy's setting is KEY=VALUE, as in deeprecsched@load-change-fraction=0.5: '"
            + parts[i] + "' in '" + policy + "'");
      }
      String given = parts[i].substring(0, eq).trim();
      String key = given.startsWith(DEEPREC_PREFIX) ? given : POLICY_PREFIX + given;
      if (!CONTENDER_KEYS.contains(key)) {
        throw new IllegalArgumentException("unknown policy setting '" + given + "' in '" + policy + "'; known: "
            + CONTENDER_KEYS.stream().map(k -> k.startsWith(POLICY_PREFIX) ? k.substring(POLICY_PREFIX.length()) : k)
                .sorted().toList());
      }
      conf.setString(key, parts[i].substring(eq + 1).trim());
    }
    if (batchSize > 0) {
      conf.set(DeepRecOptions.BATCH_SIZE, batchSize);
    }
    conf.set(DeepRecOptions.SLA_TARGETS, java.util.Map.of(model, Double.toString(targetMs)));
    conf.set(DeepRecOptions.TABLE_SCALE, tableScale);
    conf.set(DeepRecOptions.SEED, seed);
    conf.set(DeepRecOptions.WORKERS, workers);
    if (profileDir != null) {
      conf.set(DeepRecOptions.PROFILE_DIR, profileDir.toString());
    }
    return conf;
  }

  private static final String DEEPREC_PREFIX = "deeprec.";
  private static final String POLICY_PREFIX = "deeprec.policy.";
  /**
   * The options a contender may set for itself: its policy's parameters (the profile directory is the bench's),
   * given without their prefix, and how a query is split, given in full.
   */
  private static final java.util.Set<String> CONTENDER_KEYS = java.util.stream.Stream.concat(
      DeepRecOptions.schedParameterOptions().stream(), java.util.stream.Stream.of(DeepRecOptions.SPLIT))
      .map(org.apache.flink.configuration.ConfigOption::key).collect(java.util.stream.Collectors.toUnmodifiableSet());

  /**
   * Fails fast, before any job starts, on a policy the job would refuse: an unknown name, an unknown or bad setting.
   *
   * @param policy a contender: as {@link #servingConfiguration} takes it, or {@code fixed-B} with or without settings
   */
  static void checkPolicy(String policy) {
    JobSettings.from(servingConfiguration("ncf", null, ProductBench.policyName(policy), ProductBench.fixedSize(policy),
        5, 0.01, 1, 1, null)).policies();
  }

  @Override
  public void close() {
    broker.close();
  }

  static final class Session implements AutoCloseable {
    private final String model;
    private final String prefix;
    private final JobSettings settings;
    private final KafkaSettings kafka;
    private final LocalCluster cluster;
    private final JobClient client;
    private final double targetMs;
    private final boolean adaptive;
    private final boolean settles;
    private final OpenLoopSender sender;
    private final TopicReader<ControlDecision> decisions;
    private long lastDecisionMs;
    /** Whether the controller's latest decision holds a choice (no exploration under way). */
    private boolean holding;
    /** The settings in force: the configured policy's, then the controller's latest decision. */
    private BatchSettings current;
    private int probes;

    private Session(String model, String prefix, JobSettings settings, KafkaSettings kafka, LocalCluster cluster,
        JobClient client, double targetMs, boolean adaptive, boolean settles, BatchSettings initial) {
      this.cluster = cluster;
      this.settles = settles;
      this.current = initial;
      this.model = model;
      this.prefix = prefix;
      this.settings = settings;
      this.kafka = kafka;
      this.client = client;
      this.targetMs = targetMs;
      this.adaptive = adaptive;
      this.sender = new OpenLoopSender(kafka.clientProperties(), settings.queriesTopic());
      this.decisions = new TopicReader<>(kafka.clientProperties(), settings.controlTopic(), SingleObjectCodec.CONTROL);
    }

    /**
     * Sends the warm-up load until the plan's warm-up is over ({@link ServingSimulator.Warmup}: its shortest length,
     * a policy that settles holding its choice and quiet, a backlog drained), reading the control topic and the
     * warm-up's answers between one-second chunks past its shortest length.
     *
     * @return how long it lasted, ms
     */
    private long warmUp(QueryGenerator load, ResultTracker answers, ServingSimulator.ProbePlan plan, double qps,
        long seed) {
      long started = System.currentTimeMillis();
      ServingSimulator.Warmup warmup = plan.warmup(adaptive, settles, qps, targetMs);
      long minMs = (long) warmup.minMs();
      if (minMs > 0) {
        sender.run(load, qps, minMs, seed);
      }
      int chunk = 0;
      while (true) {
        long now = System.currentTimeMillis();
        readDecisions();
        boolean quiet = holding && now - Math.max(lastDecisionMs, started) >= plan.quietMs();
        long backlog = Math.max(0, load.generated() - answers.answeredCount());
        if (warmup.over(now - started, quiet, backlog)) {
          return now - started;
        }
        sender.run(load, qps, WARMUP_CHUNK_MS, seed + 1000L * ++chunk);
      }
    }

    private void readDecisions() {
      readDecisions(d -> { });
    }

    private void readDecisions(Consumer<ControlDecision> also) {
      decisions.poll(Duration.ZERO, d -> {
        lastDecisionMs = Math.max(lastDecisionMs, d.getTimestampMs());
        holding = d.getHolding();
        current = new BatchSettings(d.getBatchSize(), d.getMaxQueueDelayMs(), d.getOffloadThreshold());
        also.accept(d);
      });
    }

    /** The job announced readiness: the model is loaded and the whole path is warm. */
    private void awaitReady(JobReadiness readiness, long submittedMs) throws Exception {
      readiness.await(List.of(model), submittedMs, READY_TIMEOUT, client);
    }

    /**
     * One probe at {@code qps}: the warm-up, then {@code measureS} of measured queries, judged end to end.
     *
     * @param warmupS the shortest warm-up, seconds
     * @param backlogDrainS how much longer the warm-up waits for its backlog to drain, seconds (0: never)
     */
    Probe probe(double qps, QuerySizes sizes, double warmupS, double backlogDrainS, double measureS, long seed) {
      String id = String.format(Locale.ROOT, "%s-p%d", prefix, probes++);
      int restartsBefore = restarts().count();
      try (ResultTracker warm = new ResultTracker(kafka.clientProperties(), settings.resultsTopic(), id + "-warm-");
          ResultTracker measured = new ResultTracker(kafka.clientProperties(), settings.resultsTopic(), id + "-m-")) {
        QueryGenerator warmLoad = new QueryGenerator(List.of(model), sizes, seed + 1, id + "-warm", 10);
        long warmupMs = warmUp(warmLoad, warm, PLAN.withWarmup(warmupS * 1000, backlogDrainS * 1000), qps, seed + 1);
        QueryGenerator load = new QueryGenerator(List.of(model), sizes, seed, id + "-m", 10);
        readDecisions();
        long backlogAtStart = Math.max(0, warmLoad.generated() - warm.answeredCount());
        long measureStartMs = System.currentTimeMillis();
        CpuByStage.Snapshot cpuFrom = CpuByStage.take();
        long sent = sender.run(load, qps, (long) (measureS * 1000), seed);
        long measureEndMs = System.currentTimeMillis();
        double sentQps = sender.achievedRate();
        ResultTracker.Snapshot s = measured.awaitAnswered(sent, DRAIN_TIMEOUT);
        double modelCpuShare = CpuByStage.share(CpuByStage.between(cpuFrom, CpuByStage.take()), CpuByStage.Stage.INFERENCE);
        warm.awaitAnswered(warmLoad.generated(), Duration.ofSeconds(5));
        boolean complete = s.answered() >= sent;
        ResultTracker.Percentiles e2e = s.endToEnd();
        // Judged end to end, from the producer's send to this consumer's receipt, over every query: one
        // answered without scores (shed past its deadline) missed the target.
        double p95Ms = s.endToEndP95OfAnsweredMs();
        boolean feasible = complete && p95Ms <= targetMs;
        // Decisions reach the control topic a checkpoint after they are made: read them once the queries are answered.
        List<String> movedWhileMeasured = new ArrayList<>();
        readDecisions(d -> {
          if (d.getTimestampMs() >= measureStartMs && d.getTimestampMs() <= measureEndMs) {
            movedWhileMeasured.add(d.getReason() == null ? "batch " + d.getBatchSize() : d.getReason().toString());
          }
        });
        LocalCluster.Restarts restartsAfter = restarts();
        return new Probe(qps, sentQps, s.answered(), List.of(s.job().p95Ms()), e2e.p50Ms(), p95Ms, e2e.p99Ms(),
            Double.NaN, Double.NaN, current,
            feasible, !complete, new double[0], List.of(), movedWhileMeasured,
            restartsAfter.count() - restartsBefore, restartsAfter.latestFailure(), modelCpuShare, backlogAtStart,
            warmupMs / 1000.0);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while probing " + qps + " queries/s", e);
      }
    }

    private LocalCluster.Restarts restarts() {
      try {
        return cluster.restarts(client.getJobID());
      } catch (Exception e) {
        throw new IllegalStateException("could not read the job's restarts", e);
      }
    }

    @Override
    public void close() throws Exception {
      decisions.close();
      sender.close();
      try {
        client.cancel().get();
      } finally {
        cluster.close();
      }
    }
  }
}

package io.deeprec.job.cli;

import io.deeprec.job.DeepRecJob;
import io.deeprec.job.DeepRecOptions;
import io.deeprec.job.JobSettings;
import io.deeprec.job.kafka.EmbeddedKafkaBroker;
import io.deeprec.job.kafka.KafkaHopProbe;
import io.deeprec.job.kafka.KafkaSettings;
import io.deeprec.job.LocalCluster;
import io.deeprec.job.PrometheusReporting;
import io.deeprec.job.bench.BenchCharts;
import io.deeprec.job.bench.Probe;
import io.deeprec.job.load.CpuByStage;
import io.deeprec.job.load.JobReadiness;
import io.deeprec.job.load.MetricsTimeline;
import io.deeprec.job.load.OpenLoopSender;
import io.deeprec.job.load.QueryGenerator;
import io.deeprec.workload.QuerySizes;
import io.deeprec.job.load.ResultTracker;
import io.deeprec.schema.MetricsSnapshot;
import io.deeprec.schema.ResultStatus;
import io.deeprec.sched.LatencyStats;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The embedded default: a real Kafka broker (unless {@code --bootstrap-servers} names one), the
 * job on a local Flink MiniCluster, and an open-loop load generator, for a bounded time; ends with
 * a summary of what was sent and answered.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run the job locally under open-loop load and print a latency summary.")
public final class RunCommand implements Callable<Integer> {

  @Mixin
  JobOptions job;

  @Option(names = "--duration", defaultValue = "30s", description = "How long to send load (default: ${DEFAULT-VALUE}).")
  String duration;

  @Option(names = "--warmup", defaultValue = "0s",
      description = "Client-side load at the same rate before measuring, not counted; the job warms its own path "
          + "before it announces readiness, so none is needed (default: ${DEFAULT-VALUE}).")
  String warmup;

  @Option(names = "--rate", defaultValue = "40", description = "Queries per second, Poisson arrivals (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--ladder", split = ",", paramLabel = "QPS",
      description = "After the main run, step the same job through these rates (queries/s, ascending), "
          + "--step-duration each, and report the latency-bounded throughput: the highest rate whose end-to-end p95, "
          + "and every lower rate's, meets the target.")
  List<Double> ladder = new ArrayList<>();

  @Option(names = "--step-duration", defaultValue = "20s",
      description = "How long each --ladder rate is sent (default: ${DEFAULT-VALUE}).")
  String stepDuration;

  @Option(names = "--sizes", defaultValue = "lognormal",
      description = "Candidates per query: lognormal[:mu:sigma] (default, mu 5.1 sigma 0.2), normal[:mean:sd], fixed:N.")
  String sizes;

  @Option(names = "--top-k", defaultValue = "10", description = "Items returned per query (default: ${DEFAULT-VALUE}).")
  int topK;

  @Option(names = "--parallelism", defaultValue = "2", description = "Parallelism of the local job (default: ${DEFAULT-VALUE}).")
  int parallelism;

  @Option(names = "--load-seed", defaultValue = "1", description = "Seed of the load generator (default: ${DEFAULT-VALUE}).")
  long loadSeed;

  @Option(names = "--early-window", defaultValue = "10s",
      description = "The first part of the measured load reported apart from the rest, to show what a client sees "
          + "right after the job announced readiness (default: ${DEFAULT-VALUE}).")
  String earlyWindow;

  @Option(names = "--failover-at", paramLabel = "DURATION",
      description = "Into the measured load, kill a TaskManager of the local cluster (a fresh one replaces it): the "
          + "job restarts from its last checkpoint, warms up and announces readiness again; the summary reports "
          + "end-to-end latency around the failover.")
  String failoverAt;

  @Option(names = "--ready-timeout", defaultValue = "5m",
      description = "How long to wait for the job to announce readiness (default: ${DEFAULT-VALUE}).")
  String readyTimeout;

  @Option(names = "--prometheus-port", paramLabel = "PORT",
      description = "Expose the local cluster's Flink metrics (per model: latency, batch size, queue depth, counts; "
          + "workers) for Prometheus at http://localhost:PORT/metrics while the run lasts.")
  Integer prometheusPort;

  @Option(names = "--timeline", paramLabel = "DIR",
      description = "Write each model's metrics windows over the run and its --ladder (<model>-timeline.csv), a chart of "
          + "batch size and p95 over time (<model>-timeline.png) and the controller's decisions with their reasons "
          + "(<model>-decisions.csv) to DIR, as read from the metrics and control topics.")
  Path timelineDir;

  @Option(names = "--kafka-hops", defaultValue = "20", paramLabel = "PER_SECOND",
      description = "With the embedded broker: time this many bare Kafka hops per second (a small record from a "
          + "producer to a consumer on a topic of their own) while the load runs, and report them beside the breakdown: "
          + "the floor under its source and sink stages on the same broker and cores; 0 = off (default: ${DEFAULT-VALUE}).")
  double kafkaHopsPerSecond;

  @Option(names = "--drain-timeout", defaultValue = "120s",
      description = "How long to wait for the last answers after sending stops (default: ${DEFAULT-VALUE}).")
  String drainTimeout;

  private static final String KAFKA_HOP_TOPIC = "deeprec.kafka-hop-probe";

  private final PrintStream out = System.out;
  private boolean failedOver;

  @Override
  public Integer call() throws Exception {
    Duration sendFor = JobOptions.parseDuration(duration);
    Duration drain = JobOptions.parseDuration(drainTimeout);
    Duration early = JobOptions.parseDuration(earlyWindow);
    QuerySizes querySizes = QuerySizes.parse(sizes);
    // Refuse bad settings before starting anything.
    JobSettings.from(job.toConfiguration("localhost:0"));
    if (failoverAt != null) {
      JobOptions.parseDuration(failoverAt);
    }
    if (!(kafkaHopsPerSecond >= 0)) {
      throw new IllegalArgumentException("--kafka-hops must be >= 0: " + kafkaHopsPerSecond);
    }
    EmbeddedKafkaBroker broker = null;
    LocalCluster cluster = null;
    JobReadiness closeLater = null;
    JobClient client = null;
    KafkaHopProbe hopProbe = null;
    try {
      if (job.bootstrapServers == null) {
        out.println("starting an embedded Kafka broker (KRaft) ...");
        broker = EmbeddedKafkaBroker.start();
        out.println("  Kafka at " + broker.bootstrapServers());
      }
      Configuration conf = job.toConfiguration(broker == null ? null : broker.bootstrapServers());
      KafkaSettings kafka = KafkaSettings.from(conf);

      // Flink keys given with -D or --config-file configure the local cluster and the job too.
      Configuration flinkConf = new Configuration(conf);
      flinkConf.set(RestOptions.BIND_PORT, conf.getOptional(RestOptions.BIND_PORT).orElse("0"));
      if (prometheusPort != null) {
        PrometheusReporting.configure(flinkConf, prometheusPort);
        out.println("  Prometheus metrics at http://localhost:" + prometheusPort + "/metrics");
      }
      cluster = new LocalCluster(flinkConf, parallelism);
      StreamExecutionEnvironment env = cluster.environment(flinkConf, parallelism);
      JobSettings settings = DeepRecJob.define(env, conf);
      List<String> models = new ArrayList<>(settings.models().keySet());
      out.printf(Locale.ROOT, "starting job '%s' on a local Flink MiniCluster (parallelism %d, %s delivery) ...%n",
          DeepRecJob.jobName(settings), parallelism, conf.get(DeepRecOptions.DELIVERY));
      Duration readyWithin = JobOptions.parseDuration(readyTimeout);
      JobReadiness readiness = new JobReadiness(kafka.clientProperties(), settings.metricsTopic());
      closeLater = readiness;
      long submitted = System.currentTimeMillis();
      client = env.executeAsync(DeepRecJob.jobName(settings));
      out.println("waiting for the job to warm its path and announce readiness on " + settings.metricsTopic() + " ...");
      reportReadiness(readiness.await(models, submitted, readyWithin, client), submitted, "submission");

      String runId = "run-" + Long.toString(System.currentTimeMillis(), 36);
      try (OpenLoopSender sender = new OpenLoopSender(kafka.clientProperties(), settings.queriesTopic());
          ResultTracker warm = new ResultTracker(kafka.clientProperties(), settings.resultsTopic(), "warmup-" + runId);
          ResultTracker tracker = new ResultTracker(kafka.clientProperties(), settings.resultsTopic(), runId + "-")) {
        Duration warmFor = JobOptions.parseDuration(warmup);
        if (!warmFor.isZero()) {
          out.printf(Locale.ROOT, "client warm-up for %s at %.0f queries/s (not measured) ...%n", format(warmFor), rate);
          QueryGenerator warmLoad = new QueryGenerator(models, querySizes, loadSeed + 1, "warmup-" + runId + "-load", topK);
          sender.run(warmLoad, rate, warmFor.toMillis(), loadSeed + 1);
          warm.awaitAnswered(warmLoad.generated(), drain);
        }

        QueryGenerator generator = new QueryGenerator(models, querySizes, loadSeed, runId, topK);
        out.printf(Locale.ROOT, "sending %.0f queries/s for %s (Poisson arrivals, sizes %s) ...%n", rate,
            format(sendFor), sizes);
        long loadStart = System.currentTimeMillis();
        MetricsTimeline timeline = timelineDir == null ? null
            : new MetricsTimeline(kafka.clientProperties(), settings.metricsTopic(), loadStart, settings.controlTopic(),
                submitted);
        tracker.phase("first " + format(early) + " after readiness", loadStart);
        tracker.phase("steady", loadStart + early.toMillis());
        if (broker != null && kafkaHopsPerSecond > 0) {
          broker.createTopics(1, KAFKA_HOP_TOPIC);
          hopProbe = new KafkaHopProbe(kafka.clientProperties(), KAFKA_HOP_TOPIC, kafkaHopsPerSecond);
        }
        Thread load = new Thread(() -> sender.run(generator, rate, sendFor.toMillis(), loadSeed), "deeprec-load");
        load.start();
        long start = System.nanoTime();
        long failAt = failoverAt == null ? Long.MAX_VALUE : loadStart + JobOptions.parseDuration(failoverAt).toMillis();
        long steadyAt = loadStart + early.toMillis();
        CpuByStage.Snapshot cpuFrom = null;
        long answeredFrom = 0;
        while (load.isAlive()) {
          // Wakes at the failover, and at the steady phase's start for the CPU snapshot.
          long wakeAt = Math.min(failAt, cpuFrom == null && steadyAt > System.currentTimeMillis() ? steadyAt : Long.MAX_VALUE);
          load.join(Math.max(1, Math.min(2_000, wakeAt - System.currentTimeMillis())));
          if (System.currentTimeMillis() >= failAt) {
            failAt = Long.MAX_VALUE;
            failOver(cluster, readiness, tracker, models, readyWithin, client, early);
          }
          ResultTracker.Snapshot now = tracker.snapshot();
          if (cpuFrom == null && System.currentTimeMillis() >= steadyAt && load.isAlive()) {
            cpuFrom = CpuByStage.take();
            answeredFrom = now.answered();
          }
          progress(start, generator.generated(), now);
        }
        CpuCost cpu = cpuFrom == null ? null
            : new CpuCost(CpuByStage.between(cpuFrom, CpuByStage.take()), tracker.snapshot().answered() - answeredFrom,
                System.nanoTime() - cpuFrom.atNanos());
        LatencyStats kafkaHops = null;
        if (hopProbe != null) {
          hopProbe.close();
          kafkaHops = hopProbe.hops();
        }
        long sent = generator.generated();
        double achieved = sender.achievedRate();
        out.printf(Locale.ROOT, "sent %d queries (achieved %.1f/s); waiting for the last answers ...%n", sent, achieved);
        ResultTracker.Snapshot last = tracker.awaitAnswered(sent, drain);
        checkRunning(client);
        boolean complete = summary(settings, conf, sent, achieved, last, kafkaHops);
        reportCpu(cpu);
        complete &= reportRestarts(cluster.restarts(client.getJobID()));
        if (!ladder.isEmpty()) {
          complete &= ladder(settings, kafka, sender, models, querySizes, runId, drain, client);
        }
        if (timeline != null) {
          timeline.close();
          writeTimeline(timeline, settings, loadStart);
        }
        return complete ? 0 : 1;
      }
    } finally {
      if (hopProbe != null) {
        hopProbe.close();
      }
      if (client != null) {
        try {
          client.cancel().get();
        } catch (Exception e) {
          out.println("could not cancel the job: " + e.getMessage());
        }
      }
      if (closeLater != null) {
        closeLater.close();
      }
      if (cluster != null) {
        cluster.close();
      }
      if (broker != null) {
        broker.close();
      }
    }
  }

  private void writeTimeline(MetricsTimeline timeline, JobSettings settings, long startMs) throws IOException {
    Files.createDirectories(timelineDir);
    for (String model : settings.models().keySet()) {
      List<MetricsSnapshot> windows = timeline.windows(model);
      MetricsTimeline.writeCsv(windows, startMs, timelineDir.resolve(model + "-timeline.csv"));
      MetricsTimeline.writeDecisionsCsv(timeline.decisions(model), startMs, timelineDir.resolve(model + "-decisions.csv"));
      List<Probe.TracePoint> points = windows.stream().map(w -> new Probe.TracePoint((w.getWindowEndMs() - startMs) / 1000.0,
          w.getQps(), w.getP95Ms(), w.getBatchSize())).toList();
      BenchCharts.timelineChart(model + ": " + settings.policy() + " through the job (metrics topic)", points,
          settings.p95TargetsMs().get(model), "p95 of each metrics window (ms)", timelineDir.resolve(model + "-timeline.png"));
      out.printf(Locale.ROOT, "timeline of %s: %d windows in %s%n", model, windows.size(), timelineDir.resolve(model + "-timeline.png"));
    }
  }

  private void reportReadiness(Map<String, MetricsSnapshot> ready, long sinceMs, String since) {
    ready.values().forEach(r -> out.printf(Locale.ROOT,
        "  %s %s %.1f s after %s: %d warm-up queries through the whole path, warm p50 %.1f ms, p95 %.1f ms%n",
        r.getModel(), r.getEvent(), (r.getWindowEndMs() - sinceMs) / 1e3, since, r.getQueries(), r.getP50Ms(),
        r.getP95Ms()));
  }

  /**
   * Kills a TaskManager (a fresh one takes its place first), waits for the restarted job to
   * announce readiness again, and marks the phases around it; the load goes on meanwhile.
   */
  private void failOver(LocalCluster cluster, JobReadiness readiness, ResultTracker tracker, List<String> models,
      Duration readyWithin, JobClient client, Duration early) throws Exception {
    long killedAt = System.currentTimeMillis();
    tracker.phase("failover until ready again", killedAt);
    out.println("  failover: killing a TaskManager; the job restarts from its last checkpoint ...");
    cluster.killTaskManager();
    failedOver = true;
    Map<String, MetricsSnapshot> ready = readiness.await(models, killedAt, readyWithin, client);
    long readyAt = ready.values().stream().mapToLong(MetricsSnapshot::getWindowEndMs).max().orElseThrow();
    tracker.phase("first " + format(early) + " after ready again", readyAt);
    tracker.phase("steady after the failover", readyAt + early.toMillis());
    reportReadiness(ready, killedAt, "the kill");
  }

  private static void checkRunning(JobClient client) throws Exception {
    JobStatus status = client.getJobStatus().get();
    if (status.isTerminalState()) {
      client.getJobExecutionResult().get(); // surfaces the failure cause
      throw new IllegalStateException("the job stopped: " + status);
    }
  }

  private void progress(long startNanos, long sent, ResultTracker.Snapshot s) {
    out.printf(Locale.ROOT, "  t=%5.1fs  sent=%-7d answered=%-7d end-to-end p50=%7.1f ms  p95=%7.1f ms%n",
        (System.nanoTime() - startNanos) / 1e9, sent, s.answered(), s.endToEnd().p50Ms(), s.endToEnd().p95Ms());
  }

  private boolean summary(JobSettings settings, Configuration conf, long sent, double achieved,
      ResultTracker.Snapshot s, LatencyStats kafkaHops) {
    long missing = sent - s.answered();
    // With several models, the run is judged against the strictest target.
    Map.Entry<String, Double> target = strictestTarget(settings);
    ResultTracker.Percentiles e2e = s.endToEnd();
    // Judged as the benchmark judges: over every answered query, one answered without scores a miss.
    boolean met = e2e.count() > 0 && s.endToEndP95OfAnsweredMs() <= target.getValue();
    out.println();
    out.println("summary");
    out.printf(Locale.ROOT, "  end-to-end        p50 %.1f ms   p95 %.1f ms   p99 %.1f ms   (producer send to consumer receipt, %d OK results)%n",
        e2e.p50Ms(), e2e.p95Ms(), e2e.p99Ms(), e2e.count());
    out.printf(Locale.ROOT, "  target            p95 <= %.0f ms (%s%s): %s%n", target.getValue(), target.getKey(),
        settings.p95TargetsMs().size() > 1 ? ", the strictest served" : "", met ? "MET" : "MISSED");
    out.println("  end-to-end by when the query was sent:");
    s.endToEndByPhase().forEach((phase, p) -> out.printf(Locale.ROOT,
        "    %-32s p50 %7.1f ms   p95 %7.1f ms   (%d results)%n", phase, p.p50Ms(), p.p95Ms(), p.count()));
    String delivery = String.valueOf(conf.get(DeepRecOptions.DELIVERY));
    out.printf(Locale.ROOT, "  models            %s  (policy %s, batch size %d, %s delivery%s)%n",
        String.join(",", settings.models().keySet()), settings.policy(), settings.batchSize(), delivery,
        JobSettings.exactlyOnce(conf) ? ", results visible at the checkpoint after them, every "
            + JobSettings.checkpointInterval(conf).toMillis() + " ms" : "");
    out.printf(Locale.ROOT, "  queries sent      %d  (asked %.1f/s, achieved %.1f/s)%n", sent, rate, achieved);
    out.printf(Locale.ROOT, "  results           %d  (ok %d, expired %d, rejected %d)%n", s.answered(),
        s.count(ResultStatus.OK), s.count(ResultStatus.EXPIRED), s.count(ResultStatus.REJECTED));
    out.printf(Locale.ROOT, "  missing           %d%n", missing);
    out.printf(Locale.ROOT, "  duplicates        %d%n", s.duplicates());
    out.println("  breakdown         p50 / p95 ms per stage (the slowest part of a split query):");
    s.stages().forEach((stage, p) -> out.printf(Locale.ROOT, "    %-12s %7.1f / %7.1f   %s%n", stage.label, p.p50Ms(),
        p.p95Ms(), stage.what));
    if (kafkaHops != null && kafkaHops.count() > 0) {
      out.printf(Locale.ROOT, "    %-12s %7.1f / %7.1f   a bare Kafka hop on this broker during the load (%d timed): the floor "
          + "under source and sink%n", "kafka hop", kafkaHops.percentile(50), kafkaHops.percentile(95), kafkaHops.count());
    }
    out.printf(Locale.ROOT, "  job's own         p50 %.1f ms   p95 %.1f ms   p99 %.1f ms   (arrival to last part scored)%n",
        s.job().p50Ms(), s.job().p95Ms(), s.job().p99Ms());
    // With at-least-once delivery a failover may repeat the results written since the last checkpoint.
    boolean repeatsExpected = failedOver && !JobSettings.exactlyOnce(conf);
    boolean complete = missing == 0 && (s.duplicates() == 0 || repeatsExpected);
    if (!complete) {
      out.println("  NOT every query was answered exactly once");
    } else if (s.duplicates() > 0) {
      out.printf(Locale.ROOT, "  every query sent was answered; %d results repeated after the failover (at-least-once: "
          + "the same answer again, deduplicate by key)%n", s.duplicates());
    } else {
      out.println("  every query sent was answered exactly once");
    }
    return complete;
  }

  /** CPU by stage over the steady phase, per query answered in it. */
  private record CpuCost(Map<CpuByStage.Stage, Long> nanosByStage, long answered, long wallNanos) {}

  /**
   * Prints where this JVM's CPU went in the steady phase, per query answered in it: with the embedded
   * broker the broker, the job, the load generator and the consumer all run here, on the same cores.
   */
  private void reportCpu(CpuCost cpu) {
    if (cpu == null || cpu.answered() <= 0 || cpu.nanosByStage().isEmpty()) {
      return;
    }
    long total = CpuByStage.total(cpu.nanosByStage());
    int cores = Runtime.getRuntime().availableProcessors();
    out.printf(Locale.ROOT, "  cpu per query     ms of CPU per query answered in the steady phase (%d), by thread; this "
        + "process used %.2f of %d cores:%n", cpu.answered(), total / (double) cpu.wallNanos(), cores);
    cpu.nanosByStage().entrySet().stream()
        .sorted(Map.Entry.<CpuByStage.Stage, Long>comparingByValue().reversed())
        .filter(e -> e.getValue() > 0)
        .forEach(e -> out.printf(Locale.ROOT, "    %-13s %6.2f ms  %4.1f%%   %s%n", e.getKey().label,
            e.getValue() / 1e6 / cpu.answered(), 100.0 * e.getValue() / total, e.getKey().what));
    out.printf(Locale.ROOT, "    %-13s %6.2f ms%n", "all", total / 1e6 / cpu.answered());
  }

  /**
   * Reports the job's restarts. Without --failover-at a restart means the job failed on its own,
   * and the run fails; with it, the count and the latest failure are reported for the reader to judge
   * (a kill may cost more than one restart while the slots come back).
   */
  private boolean reportRestarts(LocalCluster.Restarts restarts) {
    out.printf(Locale.ROOT, "  restarts          %d%s%n", restarts.count(),
        failedOver ? " (the failover this run caused among them)" : "");
    if (restarts.count() > 0) {
      out.printf(Locale.ROOT, "  latest failure    %s%n", restarts.latestFailure());
    }
    if (restarts.count() > 0 && !failedOver) {
      out.println("  the job FAILED and restarted on its own during the run");
      return false;
    }
    return true;
  }

  /** Steps through the --ladder rates on the running job; returns whether every query was answered once. */
  private boolean ladder(JobSettings settings, KafkaSettings kafka, OpenLoopSender sender, List<String> models,
      QuerySizes querySizes, String runId, Duration drain, JobClient client) throws Exception {
    double target = strictestTarget(settings).getValue();
    Duration step = JobOptions.parseDuration(stepDuration);
    out.println();
    out.printf(Locale.ROOT, "ladder (%s per rate, target p95 <= %.0f ms)%n", format(step), target);
    out.println("  rate q/s  achieved  answered/sent  e2e p50 / p95 / p99 ms      job p50 / p95 ms   e2e target");
    double lbt = 0;
    double jobLbt = 0;
    boolean metSoFar = true;
    boolean jobMetSoFar = true;
    boolean complete = true;
    for (int k = 0; k < ladder.size(); k++) {
      double qps = ladder.get(k);
      String stepId = runId + "-step" + k;
      try (ResultTracker tracker = new ResultTracker(kafka.clientProperties(), settings.resultsTopic(), stepId + "-")) {
        QueryGenerator generator = new QueryGenerator(models, querySizes, loadSeed + 10 + k, stepId, topK);
        long sent = sender.run(generator, qps, step.toMillis(), loadSeed + 10 + k);
        double achieved = sender.achievedRate();
        ResultTracker.Snapshot s = tracker.awaitAnswered(sent, drain);
        checkRunning(client);
        boolean answered = s.answered() == sent && s.duplicates() == 0;
        boolean met = answered && s.endToEndP95OfAnsweredMs() <= target;
        boolean jobMet = answered && s.job().p95Ms() <= target;
        metSoFar &= met;
        jobMetSoFar &= jobMet;
        lbt = metSoFar ? qps : lbt;
        jobLbt = jobMetSoFar ? qps : jobLbt;
        complete &= answered;
        out.printf(Locale.ROOT, "  %8.1f  %8.1f  %6d/%-6d  %7.1f / %7.1f / %7.1f   %7.1f / %7.1f   %s%n", qps, achieved,
            s.answered(), sent, s.endToEnd().p50Ms(), s.endToEnd().p95Ms(), s.endToEnd().p99Ms(), s.job().p50Ms(),
            s.job().p95Ms(), met ? "met" : "MISSED");
      }
    }
    out.printf(Locale.ROOT, "  latency-bounded throughput: %.1f queries/s end to end, %.1f by the job's own p95%n",
        lbt, jobLbt);
    return complete;
  }

  private static Map.Entry<String, Double> strictestTarget(JobSettings settings) {
    return settings.p95TargetsMs().entrySet().stream().min(Map.Entry.comparingByValue()).orElseThrow();
  }

  private static String format(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

}

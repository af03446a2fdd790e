package io.deeprec.job.cli;

import io.deeprec.job.DeepRecJob;
import io.deeprec.job.DeepRecOptions;
import io.deeprec.job.JobSettings;
import io.deeprec.job.kafka.EmbeddedKafkaBroker;
import io.deeprec.job.kafka.KafkaSettings;
import io.deeprec.job.load.OpenLoopSender;
import io.deeprec.job.load.QueryGenerator;
import io.deeprec.workload.QuerySizes;
import io.deeprec.job.load.ResultTracker;
import io.deeprec.schema.ResultStatus;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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

  @Option(names = "--warmup", defaultValue = "5s",
      description = "Load at the same rate before measuring, not counted (JIT, caches, connections) (default: ${DEFAULT-VALUE}).")
  String warmup;

  @Option(names = "--rate", defaultValue = "40", description = "Queries per second, Poisson arrivals (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--sizes", defaultValue = "lognormal",
      description = "Candidates per query: lognormal[:mu:sigma] (default, mu 5.1 sigma 0.2), normal[:mean:sd], fixed:N.")
  String sizes;

  @Option(names = "--top-k", defaultValue = "10", description = "Items returned per query (default: ${DEFAULT-VALUE}).")
  int topK;

  @Option(names = "--parallelism", defaultValue = "2", description = "Parallelism of the local job (default: ${DEFAULT-VALUE}).")
  int parallelism;

  @Option(names = "--load-seed", defaultValue = "1", description = "Seed of the load generator (default: ${DEFAULT-VALUE}).")
  long loadSeed;

  @Option(names = "--drain-timeout", defaultValue = "120s",
      description = "How long to wait for the last answers after sending stops (default: ${DEFAULT-VALUE}).")
  String drainTimeout;

  private final PrintStream out = System.out;

  @Override
  public Integer call() throws Exception {
    Duration sendFor = JobOptions.parseDuration(duration);
    Duration drain = JobOptions.parseDuration(drainTimeout);
    QuerySizes querySizes = QuerySizes.parse(sizes);
    EmbeddedKafkaBroker broker = null;
    JobClient client = null;
    try {
      if (job.bootstrapServers == null) {
        out.println("starting an embedded Kafka broker (KRaft) ...");
        broker = EmbeddedKafkaBroker.start();
        out.println("  Kafka at " + broker.bootstrapServers());
      }
      Configuration conf = job.toConfiguration(broker == null ? null : broker.bootstrapServers());
      KafkaSettings kafka = KafkaSettings.from(conf);

      Configuration flinkConf = new Configuration();
      flinkConf.set(RestOptions.BIND_PORT, "0");
      StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, flinkConf);
      JobSettings settings = DeepRecJob.define(env, conf);
      out.printf(Locale.ROOT, "starting job '%s' on a local Flink MiniCluster (parallelism %d) ...%n",
          DeepRecJob.jobName(settings), parallelism);
      client = env.executeAsync(DeepRecJob.jobName(settings));

      String runId = "run-" + Long.toString(System.currentTimeMillis(), 36);
      List<String> models = new ArrayList<>(settings.models().keySet());
      try (OpenLoopSender sender = new OpenLoopSender(kafka.clientProperties(), settings.queriesTopic());
          ResultTracker probes = new ResultTracker(kafka.clientProperties(), settings.resultsTopic(), "warmup-" + runId);
          ResultTracker tracker = new ResultTracker(kafka.clientProperties(), settings.resultsTopic(), runId + "-")) {
        warmUp(sender, probes, models, runId, client);
        Duration warmFor = JobOptions.parseDuration(warmup);
        if (!warmFor.isZero()) {
          out.printf(Locale.ROOT, "warming up for %s at %.0f queries/s (not measured) ...%n", format(warmFor), rate);
          QueryGenerator warmLoad = new QueryGenerator(models, querySizes, loadSeed + 1, "warmup-" + runId + "-load", topK);
          sender.run(warmLoad, rate, warmFor.toMillis(), loadSeed + 1);
          probes.awaitAnswered(models.size() + warmLoad.generated(), drain);
        }

        QueryGenerator generator = new QueryGenerator(models, querySizes, loadSeed, runId, topK);
        out.printf(Locale.ROOT, "sending %.0f queries/s for %s (Poisson arrivals, sizes %s) ...%n", rate,
            format(sendFor), sizes);
        Thread load = new Thread(() -> sender.run(generator, rate, sendFor.toMillis(), loadSeed), "deeprec-load");
        load.start();
        long start = System.nanoTime();
        while (load.isAlive()) {
          load.join(2_000);
          progress(start, generator.generated(), tracker.snapshot());
        }
        long sent = generator.generated();
        double achieved = sender.achievedRate();
        out.printf(Locale.ROOT, "sent %d queries (achieved %.1f/s); waiting for the last answers ...%n", sent, achieved);
        ResultTracker.Snapshot last = tracker.awaitAnswered(sent, drain);
        checkRunning(client);
        return summary(settings, conf, sent, achieved, last) ? 0 : 1;
      }
    } finally {
      if (client != null) {
        try {
          client.cancel().get();
        } catch (Exception e) {
          out.println("could not cancel the job: " + e.getMessage());
        }
      }
      if (broker != null) {
        broker.close();
      }
    }
  }

  /** One probe query per model, answered before the load starts, so model loading is not measured. */
  private void warmUp(OpenLoopSender sender, ResultTracker probes, List<String> models, String runId, JobClient client)
      throws Exception {
    long start = System.nanoTime();
    QueryGenerator probe = new QueryGenerator(List.of("unused"), QuerySizes.fixed(8), 7, "warmup-" + runId, 1);
    for (String model : models) {
      sender.send(io.deeprec.schema.RecQuery.newBuilder(probe.next(System.currentTimeMillis())).setModel(model).build());
    }
    sender.flush();
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (probes.snapshot().answered() < models.size()) {
      checkRunning(client);
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the job answered no probe query within 5 minutes");
      }
      Thread.sleep(100);
    }
    out.printf(Locale.ROOT, "job ready: models loaded and warm in %.1f s%n", (System.nanoTime() - start) / 1e9);
  }

  private static void checkRunning(JobClient client) throws Exception {
    JobStatus status = client.getJobStatus().get();
    if (status.isTerminalState()) {
      client.getJobExecutionResult().get(); // surfaces the failure cause
      throw new IllegalStateException("the job stopped: " + status);
    }
  }

  private void progress(long startNanos, long sent, ResultTracker.Snapshot s) {
    out.printf(Locale.ROOT, "  t=%5.1fs  sent=%-7d answered=%-7d p50=%7.1f ms  p95=%7.1f ms%n",
        (System.nanoTime() - startNanos) / 1e9, sent, s.answered(), s.p50Ms(), s.p95Ms());
  }

  private boolean summary(JobSettings settings, Configuration conf, long sent, double achieved,
      ResultTracker.Snapshot s) {
    long missing = sent - s.answered();
    out.println();
    out.println("summary");
    out.println("  models            " + String.join(",", settings.models().keySet()) + "  (policy "
        + settings.policy() + ", batch size " + settings.batchSize() + ")");
    out.printf(Locale.ROOT, "  queries sent      %d  (asked %.1f/s, achieved %.1f/s)%n", sent, rate, achieved);
    out.printf(Locale.ROOT, "  results           %d  (ok %d, expired %d, rejected %d)%n", s.answered(),
        s.count(ResultStatus.OK), s.count(ResultStatus.EXPIRED), s.count(ResultStatus.REJECTED));
    out.printf(Locale.ROOT, "  missing           %d%n", missing);
    out.printf(Locale.ROOT, "  duplicates        %d%n", s.duplicates());
    out.printf(Locale.ROOT, "  latency (job)     p50 %.1f ms   p95 %.1f ms   p99 %.1f ms   max %.1f ms%n",
        s.p50Ms(), s.p95Ms(), s.p99Ms(), s.maxMs());
    String delivery = conf.get(DeepRecOptions.DELIVERY);
    out.printf(Locale.ROOT, "  latency (client)  p50 %.1f ms   p95 %.1f ms   p99 %.1f ms   (%s%s)%n",
        s.endToEndP50Ms(), s.endToEndP95Ms(), s.endToEndP99Ms(), delivery,
        delivery.equals("exactly-once")
            ? ": results become visible when the next checkpoint commits, every "
                + conf.get(DeepRecOptions.CHECKPOINT_INTERVAL).toMillis() + " ms"
            : "");
    out.printf(Locale.ROOT, "  of which          queue p50 %.1f ms, inference p50 %.1f ms (slowest part of each query)%n",
        s.queueP50Ms(), s.inferenceP50Ms());
    boolean complete = missing == 0 && s.duplicates() == 0;
    out.println(complete ? "  every query sent was answered exactly once" : "  NOT every query was answered exactly once");
    return complete;
  }

  private static String format(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

}

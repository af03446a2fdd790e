package io.deeprec.job.cli;

import io.deeprec.job.DeepRecOptions;
import io.deeprec.job.kafka.KafkaSettings;
import io.deeprec.job.load.ArrivalProcess;
import io.deeprec.job.load.ArrivalSchedule;
import io.deeprec.job.load.ModelMix;
import io.deeprec.job.load.OpenLoopSender;
import io.deeprec.job.load.QueryGenerator;
import io.deeprec.workload.QuerySizes;
import io.deeprec.job.load.RateSchedules;
import io.deeprec.sched.sim.RateSchedule;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code deeprec load}: DeepRecInfra's open-loop load generator against an existing Kafka cluster.
 * Send times never wait for answers; each query is timestamped when generated. Ends with the
 * achieved send rate beside the rate the schedule asked for, so a generator that fell behind is
 * visible.
 */
@Command(name = "load", mixinStandardHelpOptions = true,
    description = "Send open-loop query load to a Kafka topic and report the achieved rate.")
public final class LoadCommand implements Callable<Integer> {

  @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT", description = "Kafka cluster to send to.")
  String bootstrapServers;

  @Option(names = "--kafka-properties", paramLabel = "FILE",
      description = "Kafka client properties file (security.protocol, sasl.*, ssl.*).")
  Path kafkaProperties;

  @Option(names = "--topic", defaultValue = "deeprec.queries", description = "Queries topic (default: ${DEFAULT-VALUE}).")
  String topic;

  @Option(names = "--rate", defaultValue = "100", description = "Base rate, queries/s (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--duration", defaultValue = "30s", description = "How long to send (default: ${DEFAULT-VALUE}).")
  String duration;

  @Option(names = "--schedule", defaultValue = "constant",
      description = "Rate over time: constant, step:AT_S:FACTOR, sine:PERIOD_S:AMPLITUDE, bursts:EVERY_S:LENGTH_S:FACTOR "
          + "(default: ${DEFAULT-VALUE}).")
  String schedule;

  @Option(names = "--arrivals", defaultValue = "poisson",
      description = "Gaps: poisson (exponential) or poisson-ms (integer Poisson ms, the reference's) (default: ${DEFAULT-VALUE}).")
  String arrivals;

  @Option(names = "--sizes", defaultValue = "lognormal",
      description = "Candidates per query: lognormal[:mu:sigma], normal[:mean:sd], fixed:N, empirical:FILE (default: ${DEFAULT-VALUE}).")
  String sizes;

  @Option(names = "--models", defaultValue = "rmc1",
      description = "Model mix, e.g. rmc1=0.7,wnd=0.3 (default: ${DEFAULT-VALUE}).")
  String models;

  @Option(names = "--top-k", defaultValue = "10", description = "Items returned per query (default: ${DEFAULT-VALUE}).")
  int topK;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of sizes, ids and gaps (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--run-id", description = "Prefix of the query ids (default: load-<time>).")
  String runId;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    long durationMs = JobOptions.parseDuration(duration).toMillis();
    RateSchedule rates = RateSchedules.parse(schedule, rate, durationMs);
    ArrivalProcess process = ArrivalProcess.parse(arrivals);
    ModelMix mix = ModelMix.parse(models);
    QuerySizes querySizes = QuerySizes.parse(sizes);
    String id = runId != null ? runId : "load-" + Long.toString(System.currentTimeMillis(), 36);
    double expected = RateSchedules.expectedArrivals(rates, 0, durationMs);

    Configuration conf = new Configuration();
    conf.set(DeepRecOptions.BOOTSTRAP_SERVERS, bootstrapServers);
    if (kafkaProperties != null) {
      conf.set(DeepRecOptions.KAFKA_PROPERTIES_FILE, kafkaProperties.toString());
    }
    KafkaSettings kafka = KafkaSettings.from(conf);
    QueryGenerator generator = new QueryGenerator(mix, querySizes, seed, id, topK);
    out.printf(Locale.ROOT, "sending to %s/%s for %s: %s at %.0f queries/s base (%s arrivals), sizes %s, models %s%n",
        bootstrapServers, topic, duration, schedule, rate, process.cliName(), sizes, mix.shares());
    out.flush();
    try (OpenLoopSender sender = new OpenLoopSender(kafka.clientProperties(), topic)) {
      Thread load = new Thread(() -> sender.run(generator, new ArrivalSchedule(rates, process, seed), durationMs),
          "deeprec-load");
      long start = System.nanoTime();
      load.start();
      long lastCount = 0;
      long lastNanos = start;
      while (load.isAlive()) {
        load.join(1_000);
        long now = System.nanoTime();
        long count = generator.generated();
        double elapsedMs = (now - start) / 1e6;
        out.printf(Locale.ROOT, "  t=%6.1fs  sent=%-8d last second %7.1f/s  asked now %7.1f/s%n", elapsedMs / 1000, count,
            (count - lastCount) / ((now - lastNanos) / 1e9), rates.qpsAt(Math.min(elapsedMs, durationMs)));
        out.flush();
        lastCount = count;
        lastNanos = now;
      }
      double asked = expected / (durationMs / 1000.0);
      double achieved = sender.achievedRate();
      out.printf(Locale.ROOT, "sent %d queries (schedule asked for %.0f): achieved %.1f/s, asked %.1f/s (%+.2f%%), send failures %d%n",
          generator.generated(), expected, achieved, asked, 100 * (achieved / asked - 1), sender.failed());
      out.flush();
      return sender.failed() == 0 ? 0 : 1;
    }
  }
}

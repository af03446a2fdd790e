package io.deeprec.job.bench;

import io.deeprec.job.DeepRecJob;
import io.deeprec.job.DeepRecOptions;
import io.deeprec.job.JobSettings;
import io.deeprec.job.kafka.EmbeddedKafkaBroker;
import io.deeprec.job.kafka.KafkaSettings;
import io.deeprec.job.load.OpenLoopSender;
import io.deeprec.job.load.QueryGenerator;
import io.deeprec.workload.QuerySizes;
import io.deeprec.job.load.ResultTracker;
import io.deeprec.model.ModelId;
import io.deeprec.schema.RecQuery;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The full serving path for the benchmark: the embedded Kafka broker, the job on a local Flink
 * MiniCluster (as {@code deeprec run} starts it), the open-loop sender and the result tracker.
 * Each (model, policy) gets its own job and topics, so no query of an earlier job is replayed. A
 * probe sends at one rate for the warm-up, then for the measured span, and judges the job's own
 * latency (completion - arrival timestamp, which includes the Kafka hop in) over the measured
 * span as one window: the results topic gives no finer clock than that.
 */
final class FlinkKafkaPath implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(60);

  private final EmbeddedKafkaBroker broker;
  private final String runId = Long.toString(System.currentTimeMillis(), 36);

  FlinkKafkaPath() {
    this.broker = EmbeddedKafkaBroker.start();
  }

  /** Starts the job for one model and policy; close the session to cancel it. */
  Session open(ModelId model, String policy, double targetMs, double tableScale, long seed, int workers, int parallelism,
      Path profileDir) throws Exception {
    String prefix = "bench-" + runId + "-" + model.cliName() + "-" + policy;
    Configuration conf = new Configuration();
    conf.set(DeepRecOptions.MODELS, List.of(model.cliName()));
    conf.set(DeepRecOptions.POLICY, policy);
    conf.set(DeepRecOptions.SLA_TARGETS, model.cliName() + "=" + targetMs);
    conf.set(DeepRecOptions.TABLE_SCALE, tableScale);
    conf.set(DeepRecOptions.SEED, seed);
    conf.set(DeepRecOptions.WORKERS, workers);
    conf.set(DeepRecOptions.BOOTSTRAP_SERVERS, broker.bootstrapServers());
    if (profileDir != null) {
      conf.set(DeepRecOptions.PROFILE_DIR, profileDir.toString());
    }
    conf.set(DeepRecOptions.QUERIES_TOPIC, prefix + ".queries");
    conf.set(DeepRecOptions.RESULTS_TOPIC, prefix + ".results");
    conf.set(DeepRecOptions.METRICS_TOPIC, prefix + ".metrics");
    conf.set(DeepRecOptions.DEAD_LETTER_TOPIC, prefix + ".dead-letter");
    conf.set(DeepRecOptions.CONTROL_TOPIC, prefix + ".control");
    conf.set(DeepRecOptions.GROUP_ID, prefix);
    Configuration flinkConf = new Configuration();
    flinkConf.set(RestOptions.BIND_PORT, "0");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, flinkConf);
    JobSettings settings = DeepRecJob.define(env, conf);
    JobClient client = env.executeAsync(DeepRecJob.jobName(settings));
    KafkaSettings kafka = KafkaSettings.from(conf);
    Session session = new Session(model.cliName(), prefix, settings, kafka, client, targetMs);
    session.awaitReady();
    return session;
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
    private final JobClient client;
    private final double targetMs;
    private final OpenLoopSender sender;
    private int probes;

    private Session(String model, String prefix, JobSettings settings, KafkaSettings kafka, JobClient client, double targetMs) {
      this.model = model;
      this.prefix = prefix;
      this.settings = settings;
      this.kafka = kafka;
      this.client = client;
      this.targetMs = targetMs;
      this.sender = new OpenLoopSender(kafka.clientProperties(), settings.queriesTopic());
    }

    /** One probe query answered: the model is loaded and the workers are warm. */
    private void awaitReady() throws Exception {
      try (ResultTracker ready = new ResultTracker(kafka.clientProperties(), settings.resultsTopic(), prefix + "-ready")) {
        QueryGenerator probe = new QueryGenerator(List.of(model), QuerySizes.fixed(8), 7, prefix + "-ready", 1);
        sender.send(RecQuery.newBuilder(probe.next(System.currentTimeMillis())).build());
        sender.flush();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        boolean restarted = false;
        while (ready.snapshot().answered() < 1) {
          JobStatus status = client.getJobStatus().get();
          if (status.isTerminalState()) {
            client.getJobExecutionResult().get();
            throw new IllegalStateException("the benchmark job stopped before answering");
          }
          restarted |= status == JobStatus.RESTARTING;
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("the benchmark job answered no probe within " + READY_TIMEOUT + " (status "
                + status + (restarted ? "; its tasks failed and restarted: run with org.apache.flink logging at INFO"
                + " to see why" : "") + ")");
          }
          Thread.sleep(100);
        }
      }
    }

    Probe probe(double qps, QuerySizes sizes, double warmupS, double measureS, long seed) {
      String id = String.format(Locale.ROOT, "%s-p%d", prefix, probes++);
      try (ResultTracker warm = new ResultTracker(kafka.clientProperties(), settings.resultsTopic(), id + "-warm-");
          ResultTracker measured = new ResultTracker(kafka.clientProperties(), settings.resultsTopic(), id + "-m-")) {
        QueryGenerator warmLoad = new QueryGenerator(List.of(model), sizes, seed + 1, id + "-warm", 10);
        if (warmupS > 0) {
          sender.run(warmLoad, qps, (long) (warmupS * 1000), seed + 1);
        }
        QueryGenerator load = new QueryGenerator(List.of(model), sizes, seed, id + "-m", 10);
        long sent = sender.run(load, qps, (long) (measureS * 1000), seed);
        double sentQps = sender.achievedRate();
        ResultTracker.Snapshot s = measured.awaitAnswered(sent, DRAIN_TIMEOUT);
        warm.awaitAnswered(warmLoad.generated(), Duration.ofSeconds(5));
        boolean complete = s.answered() >= sent;
        boolean feasible = complete && s.p95Ms() <= targetMs;
        return new Probe(qps, sentQps, s.answered(), List.of(s.p95Ms()), s.p50Ms(), s.p95Ms(), s.p99Ms(), Double.NaN, null,
            feasible, !complete, new double[0], List.of());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while probing " + qps + " queries/s", e);
      }
    }

    @Override
    public void close() throws Exception {
      sender.close();
      client.cancel().get();
    }
  }
}

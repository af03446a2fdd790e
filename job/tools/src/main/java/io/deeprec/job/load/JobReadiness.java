package io.deeprec.job.load;

import io.deeprec.job.kafka.TopicReader;
import io.deeprec.schema.MetricsSnapshot;
import io.deeprec.schema.SingleObjectCodec;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;

/**
 * Waits, as a client would, for the job's readiness announcement on the metrics topic: one record
 * per served model whose {@code event} starts with 'ready', announced after the given time. Once
 * every model announced, a query sent from then on is read by the job (the warm-up reached every
 * partition of the queries topic) and the path is warm.
 */
public final class JobReadiness implements AutoCloseable {
  /** How often the job's status is asked while waiting: a failed job is reported within this. */
  private static final Duration STATUS_EVERY = Duration.ofSeconds(2);

  private final TopicReader<MetricsSnapshot> metrics;

  public JobReadiness(Properties clientProps, String metricsTopic) {
    this.metrics = new TopicReader<>(clientProps, metricsTopic, SingleObjectCodec.METRICS);
  }

  /** Whether a metrics record is a readiness announcement. */
  public static boolean isReadiness(MetricsSnapshot record) {
    return record.getEvent() != null && record.getEvent().startsWith("ready");
  }

  /**
   * Blocks until every one of {@code models} announced readiness after {@code sinceMs} (epoch ms);
   * returns the announcements by model. Fails when the job stops or {@code timeout} passes.
   *
   * @param job the job, watched so that a failed job is reported at once; null to not watch
   */
  public Map<String, MetricsSnapshot> await(Collection<String> models, long sinceMs, Duration timeout, JobClient job)
      throws Exception {
    Map<String, MetricsSnapshot> ready = new LinkedHashMap<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    long nextStatusCheck = System.nanoTime();
    while (!ready.keySet().containsAll(models)) {
      metrics.poll(Duration.ofMillis(200), record -> {
        if (isReadiness(record) && record.getWindowEndMs() >= sinceMs && models.contains(record.getModel())) {
          ready.put(record.getModel(), record);
        }
      });
      if (job != null && System.nanoTime() >= nextStatusCheck) {
        // Through a remote job client each status request builds a REST client with threads of its own:
        // asked every STATUS_EVERY, not on every poll, so as not to load the cores the job warms up on.
        nextStatusCheck = System.nanoTime() + STATUS_EVERY.toNanos();
        JobStatus status = job.getJobStatus().get();
        if (status.isGloballyTerminalState()) {
          job.getJobExecutionResult().get(); // surfaces the failure cause
          throw new IllegalStateException("the job stopped before it was ready: " + status);
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the job announced no readiness within " + timeout.toSeconds() + " s (ready: "
            + ready.keySet() + " of " + models + ")");
      }
    }
    return ready;
  }

  @Override
  public void close() {
    metrics.close();
  }
}

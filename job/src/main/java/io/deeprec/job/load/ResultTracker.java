package io.deeprec.job.load;

import io.deeprec.job.kafka.TopicReader;
import io.deeprec.sched.LatencyStats;
import io.deeprec.schema.RecResult;
import io.deeprec.schema.ResultStatus;
import io.deeprec.schema.SingleObjectCodec;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Consumes the results topic on its own thread and keeps what a run summary needs: distinct query
 * ids answered, duplicates, counts by status, and latency percentiles (service latency as the job
 * measured it, and end-to-end latency as seen by this consumer).
 */
public final class ResultTracker implements AutoCloseable {
  private final TopicReader<RecResult> reader;
  private final String idPrefix;
  private final Thread thread;
  private final Set<String> answered = new HashSet<>();
  private final Map<ResultStatus, Long> byStatus = new EnumMap<>(ResultStatus.class);
  private final LatencyStats service = new LatencyStats();
  private final LatencyStats endToEnd = new LatencyStats();
  private final LatencyStats queue = new LatencyStats();
  private final LatencyStats inference = new LatencyStats();
  private long duplicates;
  private volatile boolean running = true;

  /** @param idPrefix only results whose query id starts with this count (other runs may share the topic) */
  public ResultTracker(Properties clientProps, String topic, String idPrefix) {
    this.reader = new TopicReader<>(clientProps, topic, SingleObjectCodec.RESULT);
    this.idPrefix = idPrefix;
    this.thread = new Thread(this::loop, "deeprec-result-tracker");
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    while (running) {
      reader.poll(Duration.ofMillis(100), this::record);
    }
  }

  private synchronized void record(RecResult result) {
    if (!result.getQueryId().startsWith(idPrefix)) {
      return;
    }
    if (!answered.add(result.getQueryId())) {
      duplicates++;
      return;
    }
    byStatus.merge(result.getStatus(), 1L, Long::sum);
    if (result.getStatus() == ResultStatus.OK) {
      service.record(result.getTotalMs());
      endToEnd.record(System.currentTimeMillis() - result.getArrivalTimeMs());
      queue.record(result.getQueueMs());
      inference.record(result.getInferenceMs());
    }
  }

  /** A consistent copy of the counters. */
  public synchronized Snapshot snapshot() {
    return new Snapshot(answered.size(), duplicates, new EnumMap<>(byStatus),
        service.percentile(50), service.percentile(95), service.percentile(99), service.maxMs(),
        endToEnd.percentile(50), endToEnd.percentile(95), endToEnd.percentile(99),
        queue.percentile(50), inference.percentile(50));
  }

  /** Waits until {@code expected} distinct queries were answered or the timeout passed. */
  public Snapshot awaitAnswered(long expected, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline && snapshot().answered() < expected) {
      Thread.sleep(100);
    }
    return snapshot();
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(5_000);
    reader.close();
  }

  /** Counters at one moment; latencies in ms over OK results. */
  public record Snapshot(long answered, long duplicates, Map<ResultStatus, Long> byStatus,
      double p50Ms, double p95Ms, double p99Ms, double maxMs,
      double endToEndP50Ms, double endToEndP95Ms, double endToEndP99Ms,
      double queueP50Ms, double inferenceP50Ms) {

    public long count(ResultStatus status) {
      return byStatus.getOrDefault(status, 0L);
    }
  }
}

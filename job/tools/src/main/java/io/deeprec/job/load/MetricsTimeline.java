package io.deeprec.job.load;

import io.deeprec.job.kafka.TopicReader;
import io.deeprec.schema.ControlDecision;
import io.deeprec.schema.MetricsSnapshot;
import io.deeprec.schema.SingleObjectCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * The job's metrics windows over a run, read from the metrics topic as any consumer would, in a background
 * thread: what the batch policy chose (batch size, offload threshold) and what it measured (p95, load, work per
 * query), window by window; and the control topic's decisions with their reasons. Readiness announcements are
 * left out.
 */
public final class MetricsTimeline implements AutoCloseable {
  private final TopicReader<MetricsSnapshot> reader;
  private final TopicReader<ControlDecision> decisionReader;
  private final long sinceMs;
  private final long decisionsSinceMs;
  private final List<MetricsSnapshot> windows = new ArrayList<>();
  private final List<ControlDecision> decisions = new ArrayList<>();
  private final Thread thread;
  private volatile boolean running = true;

  /**
   * Starts reading windows that end at or after {@code sinceMs} and decisions made at or after
   * {@code decisionsSinceMs} (epoch ms; the job's submission, so that the climb before the load is in).
   */
  public MetricsTimeline(Properties clientProps, String metricsTopic, long sinceMs, String controlTopic,
      long decisionsSinceMs) {
    this.reader = new TopicReader<>(clientProps, metricsTopic, SingleObjectCodec.METRICS);
    this.decisionReader = new TopicReader<>(clientProps, controlTopic, SingleObjectCodec.CONTROL);
    this.sinceMs = sinceMs;
    this.decisionsSinceMs = decisionsSinceMs;
    this.thread = new Thread(this::readUntilClosed, "deeprec-metrics-timeline");
    thread.setDaemon(true);
    thread.start();
  }

  private void readUntilClosed() {
    while (running) {
      reader.poll(Duration.ofMillis(200), record -> {
        if (!JobReadiness.isReadiness(record) && record.getWindowEndMs() >= sinceMs) {
          synchronized (windows) {
            windows.add(record);
          }
        }
      });
      decisionReader.poll(Duration.ofMillis(50), decision -> {
        if (decision.getTimestampMs() >= decisionsSinceMs) {
          synchronized (decisions) {
            decisions.add(decision);
          }
        }
      });
    }
  }

  /** The decisions about {@code model} read so far, in the order they were made. */
  public List<ControlDecision> decisions(String model) {
    synchronized (decisions) {
      return decisions.stream().filter(d -> d.getModel().equals(model))
          .sorted(java.util.Comparator.comparingLong(ControlDecision::getTimestampMs)).toList();
    }
  }

  /** The windows of {@code model} read so far, in window order. */
  public List<MetricsSnapshot> windows(String model) {
    synchronized (windows) {
      return windows.stream().filter(w -> w.getModel().equals(model))
          .sorted(java.util.Comparator.comparingLong(MetricsSnapshot::getWindowEndMs)).toList();
    }
  }

  /**
   * Writes {@code windows} as CSV: seconds since the start, the settings in force and what the window measured,
   * the work per query and worker count included (what a policy's capacity estimate reads).
   */
  public static void writeCsv(List<MetricsSnapshot> windows, long startMs, Path file) throws IOException {
    StringBuilder csv = new StringBuilder("time_s,model,policy,batch_size,offload_threshold,mixed_settings,queries,qps,"
        + "p50_ms,p95_ms,p99_ms,queue_depth,work_ms_per_query,workers\n");
    for (MetricsSnapshot w : windows) {
      csv.append(String.format(Locale.ROOT, "%.1f,%s,%s,%d,%d,%s,%d,%.1f,%.2f,%.2f,%.2f,%d,%.2f,%d%n",
          (w.getWindowEndMs() - startMs) / 1000.0, w.getModel(), w.getPolicy(), w.getBatchSize(), w.getOffloadThreshold(),
          w.getMixedSettings(), w.getQueries(), w.getQps(), w.getP50Ms(), w.getP95Ms(), w.getP99Ms(), w.getQueueDepth(),
          w.getWorkMsPerQuery(), w.getWorkers()));
    }
    Files.writeString(file, csv);
  }

  /**
   * Writes {@code decisions} as CSV: seconds since the start (negative: before the load, while the job warmed up),
   * who decided, the settings, whether the policy holds them as its choice, and why.
   */
  public static void writeDecisionsCsv(List<ControlDecision> decisions, long startMs, Path file) throws IOException {
    StringBuilder csv = new StringBuilder("time_s,model,source,policy,batch_size,offload_threshold,holding,reason\n");
    for (ControlDecision d : decisions) {
      csv.append(String.format(Locale.ROOT, "%.1f,%s,%s,%s,%d,%d,%s,%s%n", (d.getTimestampMs() - startMs) / 1000.0,
          d.getModel(), d.getSource(), d.getPolicy(), d.getBatchSize(), d.getOffloadThreshold(), d.getHolding(),
          csvField(d.getReason() == null ? "" : d.getReason().toString())));
    }
    Files.writeString(file, csv);
  }

  /** A CSV field, quoted (inner quotes doubled) when it holds a comma, a quote or a line break. */
  static String csvField(String text) {
    return text.matches("(?s).*[,\"\n\r].*") ? "\"" + text.replace("\"", "\"\"") + "\"" : text;
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(5_000);
    reader.close();
    decisionReader.close();
  }
}

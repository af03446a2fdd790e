package io.deeprec.job.load;

import io.deeprec.job.kafka.TopicReader;
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
 * thread: what the batch policy chose (batch size, offload threshold) and what it measured (p95, load), window
 * by window. Readiness announcements are left out.
 */
public final class MetricsTimeline implements AutoCloseable {
  private final TopicReader<MetricsSnapshot> reader;
  private final long sinceMs;
  private final List<MetricsSnapshot> windows = new ArrayList<>();
  private final Thread thread;
  private volatile boolean running = true;

  /** Starts reading windows that end at or after {@code sinceMs} (epoch ms). */
  public MetricsTimeline(Properties clientProps, String metricsTopic, long sinceMs) {
    this.reader = new TopicReader<>(clientProps, metricsTopic, SingleObjectCodec.METRICS);
    this.sinceMs = sinceMs;
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
    }
  }

  /** The windows of {@code model} read so far, in window order. */
  public List<MetricsSnapshot> windows(String model) {
    synchronized (windows) {
      return windows.stream().filter(w -> w.getModel().equals(model))
          .sorted(java.util.Comparator.comparingLong(MetricsSnapshot::getWindowEndMs)).toList();
    }
  }

  /** Writes {@code windows} as CSV: seconds since the start, the settings in force and what the window measured. */
  public static void writeCsv(List<MetricsSnapshot> windows, long startMs, Path file) throws IOException {
    StringBuilder csv = new StringBuilder(
        "time_s,model,policy,batch_size,offload_threshold,mixed_settings,queries,qps,p50_ms,p95_ms,p99_ms,queue_depth\n");
    for (MetricsSnapshot w : windows) {
      csv.append(String.format(Locale.ROOT, "%.1f,%s,%s,%d,%d,%s,%d,%.1f,%.2f,%.2f,%.2f,%d%n", (w.getWindowEndMs() - startMs) / 1000.0,
          w.getModel(), w.getPolicy(), w.getBatchSize(), w.getOffloadThreshold(), w.getMixedSettings(), w.getQueries(), w.getQps(),
          w.getP50Ms(), w.getP95Ms(), w.getP99Ms(), w.getQueueDepth()));
    }
    Files.writeString(file, csv);
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(5_000);
    reader.close();
  }
}

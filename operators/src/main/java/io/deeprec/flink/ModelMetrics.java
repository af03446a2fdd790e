package io.deeprec.flink;

import io.deeprec.schema.MetricsSnapshot;
import io.deeprec.schema.RecResult;
import io.deeprec.schema.ResultStatus;
import java.util.HashMap;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * Each served model's figures as Flink metrics, under the group {@code deeprec} with a {@code
 * model} label, so that Flink's reporters (Prometheus, JMX) and dashboards show what the metrics
 * topic carries: counters of ok / expired / rejected / dead-lettered / offloaded queries, a
 * histogram of query latency (arrival to last part scored), and gauges of the latest window (p50,
 * p95, p99, QPS, the batch size and offload threshold in force, queue depth, workers, CPU per query).
 */
final class ModelMetrics {
  private static final int HISTOGRAM_WINDOW = 1024;

  private final MetricGroup operatorGroup;
  private final Map<String, PerModel> models = new HashMap<>();

  ModelMetrics(MetricGroup operatorGroup) {
    this.operatorGroup = operatorGroup;
  }

  /** Counts one completed query of its model. */
  void record(RecResult result) {
    PerModel m = of(result.getModel());
    switch (result.getStatus()) {
      case OK -> {
        m.ok.inc();
        m.latencyMs.update(Math.round(result.getTotalMs()));
      }
      case EXPIRED -> m.expired.inc();
      default -> m.rejected.inc();
    }
    if (result.getStatus() == ResultStatus.OK && !result.getDevice().startsWith("cpu")) {
      m.offloaded.inc();
    }
  }

  void recordDeadLetter(String model) {
    of(model).deadLettered.inc();
  }

  /** The model's latest finished window, which the gauges show until the next. */
  void window(MetricsSnapshot snapshot) {
    of(snapshot.getModel()).last = snapshot;
  }

  private PerModel of(String model) {
    return models.computeIfAbsent(model, name -> new PerModel(operatorGroup.addGroup("deeprec").addGroup("model", name)));
  }

  private static final class PerModel {
    final Counter ok;
    final Counter expired;
    final Counter rejected;
    final Counter deadLettered;
    final Counter offloaded;
    final Histogram latencyMs;
    volatile MetricsSnapshot last;

    PerModel(MetricGroup group) {
      ok = group.counter("okQueries");
      expired = group.counter("expiredQueries");
      rejected = group.counter("rejectedQueries");
      deadLettered = group.counter("deadLetteredRecords");
      offloaded = group.counter("offloadedQueries");
      latencyMs = group.histogram("queryLatencyMs", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
      gauge(group, "windowP50Ms", MetricsSnapshot::getP50Ms);
      gauge(group, "windowP95Ms", MetricsSnapshot::getP95Ms);
      gauge(group, "windowP99Ms", MetricsSnapshot::getP99Ms);
      gauge(group, "windowQps", MetricsSnapshot::getQps);
      gauge(group, "batchSize", MetricsSnapshot::getBatchSize);
      gauge(group, "offloadThreshold", MetricsSnapshot::getOffloadThreshold);
      gauge(group, "queueDepth", MetricsSnapshot::getQueueDepth);
      gauge(group, "workers", MetricsSnapshot::getWorkers);
      gauge(group, "workMsPerQuery", MetricsSnapshot::getWorkMsPerQuery);
    }

    private void gauge(MetricGroup group, String name, ToDoubleFunction<MetricsSnapshot> value) {
      group.<Double, org.apache.flink.metrics.Gauge<Double>>gauge(name, () -> {
        MetricsSnapshot snapshot = last;
        return snapshot == null ? 0.0 : value.applyAsDouble(snapshot);
      });
    }
  }
}

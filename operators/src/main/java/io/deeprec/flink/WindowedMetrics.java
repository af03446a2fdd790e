package io.deeprec.flink;

import io.deeprec.sched.BatchPolicy;
import io.deeprec.sched.BatchSettings;
import io.deeprec.schema.DeadLetter;
import io.deeprec.schema.MetricsSnapshot;
import io.deeprec.schema.RecResult;
import io.deeprec.schema.ResultStatus;
import io.deeprec.serving.MetricsWindow;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by model: counts results and dead letters into the model's current {@link MetricsWindow}
 * (processing time, aligned to multiples of {@code windowMs}) and emits it as one
 * {@link MetricsSnapshot} when it ends, if it saw any event.
 */
public class WindowedMetrics extends KeyedCoProcessFunction<String, RecResult, DeadLetter, MetricsSnapshot> {
  private static final long serialVersionUID = 1L;

  /** Model key used for dead letters whose model could not be read. */
  public static final String UNKNOWN_MODEL = "unknown";

  private final long windowMs;
  private final HashMap<String, BatchPolicy> policies;

  private transient ValueState<MetricsWindow> window;

  public WindowedMetrics(long windowMs, Map<String, BatchPolicy> policies) {
    if (windowMs <= 0) {
      throw new IllegalArgumentException("metrics window must be > 0 ms: " + windowMs);
    }
    this.windowMs = windowMs;
    this.policies = new HashMap<>(policies);
  }

  private transient ModelMetrics modelMetrics;

  @Override
  public void open(OpenContext openContext) {
    modelMetrics = new ModelMetrics(getRuntimeContext().getMetricGroup());
    window = getRuntimeContext().getState(
        new ValueStateDescriptor<>("window", TypeInformation.of(MetricsWindow.class)));
  }

  @Override
  public void processElement1(RecResult result, Context ctx, Collector<MetricsSnapshot> out) throws Exception {
    MetricsWindow current = openWindow(ctx);
    BatchSettings settings = result.getBatchSizeSetting() > 0
        ? new BatchSettings(result.getBatchSizeSetting(), result.getMaxQueueDelayMsSetting(), result.getOffloadThreshold())
        : null;
    current.record(outcome(result.getStatus()), result.getTotalMs(), result.getQueryItems(), result.getWorkMs(),
        !result.getDevice().startsWith("cpu"), settings, result.getWorkerPool(), result.getWorkers(),
        result.getQueueDepth());
    current.noteVersion(result.getModelVersion(), result.getRolloutFailure());
    window.update(current);
    modelMetrics.record(result);
  }

  @Override
  public void processElement2(DeadLetter deadLetter, Context ctx, Collector<MetricsSnapshot> out) throws Exception {
    MetricsWindow current = openWindow(ctx);
    current.recordDeadLetter();
    window.update(current);
    modelMetrics.recordDeadLetter(ctx.getCurrentKey());
  }

  private static MetricsWindow.Outcome outcome(ResultStatus status) {
    return switch (status) {
      case OK -> MetricsWindow.Outcome.OK;
      case EXPIRED -> MetricsWindow.Outcome.EXPIRED;
      default -> MetricsWindow.Outcome.REJECTED;
    };
  }

  private MetricsWindow openWindow(Context ctx) throws Exception {
    MetricsWindow current = window.value();
    if (current == null) {
      current = MetricsWindow.containing(ctx.timerService().currentProcessingTime(), windowMs);
      ctx.timerService().registerProcessingTimeTimer(current.endMs());
    }
    return current;
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<MetricsSnapshot> out) throws Exception {
    MetricsWindow current = window.value();
    if (current == null) {
      return;
    }
    MetricsSnapshot snapshot = snapshot(ctx.getCurrentKey(), current, policies.get(ctx.getCurrentKey()));
    modelMetrics.window(snapshot);
    out.collect(snapshot);
    window.clear();
  }

  /** A finished window as the metrics topic carries it. */
  static MetricsSnapshot snapshot(String model, MetricsWindow window, BatchPolicy policy) {
    BatchSettings settings = window.settings();
    if (settings == null && policy != null) {
      // No OK query said which settings served it: the configured policy's.
      settings = policy.settings();
    }
    double work = window.workMsPerQuery();
    return MetricsSnapshot.newBuilder()
        .setModel(model).setWindowStartMs(window.startMs()).setWindowEndMs(window.endMs())
        .setQueries(window.queries()).setQps(window.qps())
        .setP50Ms(window.latencyPercentileMs(50)).setP95Ms(window.latencyPercentileMs(95))
        .setP99Ms(window.latencyPercentileMs(99))
        .setBatchSize(settings == null ? 0 : settings.batchSize())
        .setOffloadThreshold(settings == null ? 0 : settings.offloadThreshold())
        .setMaxQueueDelayMs(settings == null ? 0 : settings.maxQueueDelayMs())
        .setMixedSettings(window.mixedSettings())
        .setPolicy(policy == null ? "" : policy.name())
        .setQueueDepth(window.maxQueueDepth())
        .setOkCount(window.okCount()).setExpiredCount(window.expiredCount())
        .setRejectedCount(window.rejectedCount()).setDeadLetterCount(window.deadLetterCount())
        .setMeanQueryItems(window.meanQueryItems()).setMaxQueryItems(window.maxQueryItems())
        .setOffloadedCount(window.offloadedCount())
        .setWorkMsPerQuery(Double.isNaN(work) ? 0 : work)
        .setWorkers(window.workers())
        .setModelVersion(window.modelVersion())
        .setRolloutFailure(window.rolloutFailure())
        .build();
  }
}

package io.deeprec.flink;

import io.deeprec.inference.InferenceWorkers;
import io.deeprec.sched.BatchPolicy;
import io.deeprec.sched.BatchSettings;
import io.deeprec.sched.LatencyStats;
import io.deeprec.schema.DeadLetter;
import io.deeprec.schema.MetricsSnapshot;
import io.deeprec.schema.RecResult;
import io.deeprec.schema.ResultStatus;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by model: per processing-time window (aligned to multiples of {@code windowMs}), counts
 * results by status and dead letters, and computes latency percentiles and the mean worker time of
 * the OK queries; emits one {@link MetricsSnapshot} per window that saw any event.
 */
public class WindowedMetrics extends KeyedCoProcessFunction<String, RecResult, DeadLetter, MetricsSnapshot> {
  private static final long serialVersionUID = 1L;

  /** Model key used for dead letters whose model could not be read. */
  public static final String UNKNOWN_MODEL = "unknown";

  private final long windowMs;
  private final HashMap<String, BatchPolicy> policies;

  private transient ValueState<MetricsSnapshot> window;
  private transient ListState<Double> latencies;

  public WindowedMetrics(long windowMs, Map<String, BatchPolicy> policies) {
    if (windowMs <= 0) {
      throw new IllegalArgumentException("metrics window must be > 0 ms: " + windowMs);
    }
    this.windowMs = windowMs;
    this.policies = new HashMap<>(policies);
  }

  @Override
  public void open(OpenContext openContext) {
    window = getRuntimeContext().getState(
        new ValueStateDescriptor<>("window", new AvroTypeInfo<>(MetricsSnapshot.class)));
    latencies = getRuntimeContext().getListState(new ListStateDescriptor<>("latencies-ms", Double.class));
  }

  @Override
  public void processElement1(RecResult result, Context ctx, Collector<MetricsSnapshot> out) throws Exception {
    MetricsSnapshot current = openWindow(ctx.getCurrentKey(), ctx.timerService().currentProcessingTime(), ctx);
    current.setQueries(current.getQueries() + 1);
    // Running mean: the window's queries are counted above, so this is exact.
    current.setMeanQueryItems(current.getMeanQueryItems()
        + (result.getQueryItems() - current.getMeanQueryItems()) / current.getQueries());
    current.setMaxQueryItems(Math.max(current.getMaxQueryItems(), result.getQueryItems()));
    if (!result.getDevice().startsWith("cpu")) {
      current.setOffloadedCount(current.getOffloadedCount() + 1);
    }
    if (result.getStatus() == ResultStatus.OK) {
      current.setOkCount(current.getOkCount() + 1);
      latencies.add(result.getTotalMs());
      // Running mean over the OK queries counted above, like the query size's: exact, no extra state.
      current.setWorkMsPerQuery(current.getWorkMsPerQuery()
          + (result.getWorkMs() - current.getWorkMsPerQuery()) / current.getOkCount());
      // The settings in force for the window's latest query: what the policy applied.
      current.setBatchSize(result.getBatchSizeSetting() > 0 ? result.getBatchSizeSetting() : result.getBatchSize());
      current.setOffloadThreshold(result.getOffloadThreshold());
    } else if (result.getStatus() == ResultStatus.EXPIRED) {
      current.setExpiredCount(current.getExpiredCount() + 1);
    } else {
      current.setRejectedCount(current.getRejectedCount() + 1);
    }
    window.update(current);
  }

  @Override
  public void processElement2(DeadLetter deadLetter, Context ctx, Collector<MetricsSnapshot> out) throws Exception {
    MetricsSnapshot current = openWindow(ctx.getCurrentKey(), ctx.timerService().currentProcessingTime(), ctx);
    current.setDeadLetterCount(current.getDeadLetterCount() + 1);
    window.update(current);
  }

  private MetricsSnapshot openWindow(String model, long now, Context ctx) throws Exception {
    MetricsSnapshot current = window.value();
    if (current != null) {
      return current;
    }
    long start = now - Math.floorMod(now, windowMs);
    ctx.timerService().registerProcessingTimeTimer(start + windowMs);
    return MetricsSnapshot.newBuilder()
        .setModel(model).setWindowStartMs(start).setWindowEndMs(start + windowMs)
        .setQueries(0).setQps(0).setP50Ms(0).setP95Ms(0).setP99Ms(0)
        .setBatchSize(0).setOffloadThreshold(0).setPolicy("")
        .setQueueDepth(0).setOkCount(0).setExpiredCount(0).setRejectedCount(0).setDeadLetterCount(0)
        .build();
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<MetricsSnapshot> out) throws Exception {
    MetricsSnapshot current = window.value();
    if (current == null) {
      return;
    }
    LatencyStats stats = new LatencyStats();
    for (Double latency : latencies.get()) {
      stats.record(latency);
    }
    current.setQps(current.getQueries() * 1000.0 / windowMs);
    current.setP50Ms(stats.percentile(50));
    current.setP95Ms(stats.percentile(95));
    current.setP99Ms(stats.percentile(99));
    BatchPolicy policy = policies.get(current.getModel());
    if (policy != null) {
      BatchSettings settings = policy.settings();
      current.setPolicy(policy.name());
      if (current.getBatchSize() == 0) {
        current.setBatchSize(settings.batchSize());
        current.setOffloadThreshold(settings.offloadThreshold());
      }
    }
    // The queue of the CPU workers in this TaskManager (all of them on a MiniCluster).
    current.setQueueDepth(InferenceWorkers.queueDepthInThisJvm());
    out.collect(current);
    window.clear();
    latencies.clear();
  }
}

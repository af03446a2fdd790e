package io.deeprec.flink;

import io.deeprec.sched.BatchPolicy;
import io.deeprec.sched.BatchSettings;
import io.deeprec.schema.MetricsSnapshot;
import io.deeprec.schema.RecResult;
import io.deeprec.warmup.WarmupProgress;
import io.deeprec.warmup.WarmupSender;
import io.deeprec.workload.QuerySizes;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Warms the whole serving path at every start and restart, then announces readiness. A thread
 * sends synthetic queries ({@link WarmupProgress}) to the queries topic; they are read, validated,
 * batched, scored and reassembled like real ones, and their results come here instead of the
 * results topic. Once every partition was reached and every model is warm (its quota answered, and
 * the latency of its warm-up queries no longer improving), the job is ready: a log line, a record per model on the metrics topic ({@code event} 'ready') and the gauge
 * {@code ready} (0 / 1) say so. Runs with parallelism 1; emits nothing downstream.
 */
public class PipelineWarmup extends ProcessFunction<RecResult, Void> {
  private static final long serialVersionUID = 1L;
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PipelineWarmup.class);
  private static final long RESEND_AFTER_MS = 2_000;
  private static final long TICK_MS = 5;

  private final WarmupSender.Factory senderFactory;
  private final HashMap<String, BatchPolicy> policies;
  private final int queriesPerModel;
  private final long timeoutMs;

  private transient WarmupProgress progress;
  private transient WarmupSender sender;
  private transient Thread thread;
  private transient volatile boolean running;
  private transient volatile long readyAtMs;

  /**
   * @param policies the served models' policies (the announcement names their settings)
   * @param queriesPerModel fewest warm-up answers per model before the job is warm
   * @param timeoutMs longest warm-up before announcing ready, not warm
   */
  public PipelineWarmup(WarmupSender.Factory senderFactory, Map<String, BatchPolicy> policies, int queriesPerModel,
      long timeoutMs) {
    this.senderFactory = senderFactory;
    this.policies = new HashMap<>(policies);
    this.queriesPerModel = queriesPerModel;
    this.timeoutMs = timeoutMs;
  }

  @Override
  public void open(OpenContext openContext) {
    long start = System.currentTimeMillis();
    sender = senderFactory.open();
    String nonce = UUID.randomUUID().toString().substring(0, 8);
    progress = new WarmupProgress(nonce, List.copyOf(policies.keySet()), sender.partitions(), queriesPerModel,
        RESEND_AFTER_MS, timeoutMs, start, QuerySizes.parse("lognormal"), nonce.hashCode());
    readyAtMs = 0;
    getRuntimeContext().getMetricGroup().gauge("ready", () -> readyAtMs > 0 ? 1 : 0);
    getRuntimeContext().getMetricGroup().gauge("warmupMs", () -> readyAtMs > 0 ? readyAtMs - start : 0L);
    running = true;
    thread = new Thread(this::warmUp, "deeprec-warmup");
    thread.setDaemon(true);
    thread.start();
    LOG.info("warming up the serving path: {} queries per model over {} partitions", queriesPerModel,
        sender.partitions());
  }

  /** The sender thread: keeps the closed loop going until ready; touches no Flink state or output. */
  private void warmUp() {
    try {
      while (running) {
        long now = System.currentTimeMillis();
        for (WarmupProgress.Send send : progress.due(now)) {
          sender.send(send.query(), send.partition());
        }
        WarmupProgress.Readiness readiness = progress.readiness(now);
        if (readiness != null) {
          announce(readiness);
          return;
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(TICK_MS));
      }
    } catch (RuntimeException e) {
      if (running) {
        LOG.error("the warm-up failed; the job serves on but never announces readiness", e);
      }
    }
  }

  private void announce(WarmupProgress.Readiness readiness) {
    String event = readiness.warm() ? "ready" : "ready-not-warm";
    readiness.models().forEach((model, m) -> {
      BatchSettings settings = policies.get(model).settings();
      sender.announce(MetricsSnapshot.newBuilder()
          .setModel(model)
          .setWindowStartMs(readiness.startMs())
          .setWindowEndMs(readiness.readyMs())
          .setQueries(m.answered())
          .setQps(0)
          .setP50Ms(m.p50Ms())
          .setP95Ms(m.p95Ms())
          .setP99Ms(m.p99Ms())
          .setBatchSize(settings.batchSize())
          .setOffloadThreshold(settings.offloadThreshold())
          .setPolicy(policies.get(model).name())
          .setQueueDepth(0)
          // Warm-up queries are not served queries: consumers that add up status counts stay right.
          .setOkCount(0)
          .setExpiredCount(0)
          .setRejectedCount(0)
          .setDeadLetterCount(0)
          .setEvent(event)
          .build());
      LOG.info("{} {}: {} warm-up queries answered ({} ok) in {} ms; warm p50 {} ms, p95 {} ms", event, model,
          m.answered(), m.ok(), readiness.readyMs() - readiness.startMs(), m.p50Ms(), m.p95Ms());
    });
    readyAtMs = readiness.readyMs();
  }

  @Override
  public void processElement(RecResult result, Context ctx, Collector<Void> out) {
    progress.answered(result.getQueryId(), result.getStatus(),
        ctx.timerService().currentProcessingTime() - result.getArrivalTimeMs());
  }

  @Override
  public void close() throws Exception {
    running = false;
    if (thread != null) {
      thread.interrupt();
      thread.join(5_000);
    }
    if (sender != null) {
      sender.close();
    }
  }
}

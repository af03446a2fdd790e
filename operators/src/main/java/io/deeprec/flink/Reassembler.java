package io.deeprec.flink;

import io.deeprec.inference.TopK;
import io.deeprec.schema.RecResult;
import io.deeprec.schema.ResultStatus;
import io.deeprec.schema.internal.PartialResult;
import io.deeprec.serving.WorkShare;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by query id: folds the scored parts of a split query (keeping only the running top k) and
 * emits the {@link RecResult} when the last part arrives, then clears the state. Latency is
 * completion of the last part minus the query's arrival; the work (CPU) is the sum of the parts'
 * shares of their requests' model execution and per-request overhead ({@link #workShareMs}). A query whose parts stop
 * arriving is answered REJECTED after {@code abandonAfterMs}, so every query gets exactly one answer.
 */
public class Reassembler extends KeyedProcessFunction<String, PartialResult, RecResult> {
  private static final long serialVersionUID = 1L;

  private final long abandonAfterMs;

  private transient ValueState<PartialResult> folded;
  private transient ValueState<Integer> parts;
  private transient ValueState<Double> workMs;
  private transient ValueState<Long> abandonTimer;

  /** @param abandonAfterMs how long (ms) an incomplete query may wait for its missing parts */
  public Reassembler(long abandonAfterMs) {
    this.abandonAfterMs = abandonAfterMs;
  }

  @Override
  public void open(OpenContext openContext) {
    folded = getRuntimeContext().getState(
        new ValueStateDescriptor<>("folded-parts", new AvroTypeInfo<>(PartialResult.class)));
    parts = getRuntimeContext().getState(new ValueStateDescriptor<>("part-count", Integer.class));
    workMs = getRuntimeContext().getState(new ValueStateDescriptor<>("work-ms", Double.class));
    abandonTimer = getRuntimeContext().getState(new ValueStateDescriptor<>("abandon-timer", Long.class));
  }

  @Override
  public void processElement(PartialResult part, Context ctx, Collector<RecResult> out) throws Exception {
    PartialResult sofar = folded.value();
    int count = (parts.value() == null ? 0 : parts.value()) + 1;
    double work = (workMs.value() == null ? 0 : workMs.value()) + workShareMs(part);
    PartialResult merged = sofar == null ? part : fold(sofar, part);
    if (merged.getSliceItems() >= merged.getQueryItems()) {
      out.collect(result(merged, count, work, ctx.timerService().currentProcessingTime()));
      clear(ctx);
      return;
    }
    folded.update(merged);
    parts.update(count);
    workMs.update(work);
    if (abandonTimer.value() == null) {
      long at = ctx.timerService().currentProcessingTime() + abandonAfterMs;
      ctx.timerService().registerProcessingTimeTimer(at);
      abandonTimer.update(at);
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<RecResult> out) throws Exception {
    PartialResult sofar = folded.value();
    if (sofar != null) {
      sofar.setStatus(ResultStatus.REJECTED);
      sofar.setReason("incomplete after " + abandonAfterMs + " ms: " + sofar.getSliceItems() + " of "
          + sofar.getQueryItems() + " items scored");
      sofar.setCompletedTimeMs(timestamp);
      // The parts that did run cost worker time even though the query failed.
      double work = workMs.value() == null ? 0 : workMs.value();
      out.collect(result(sofar, parts.value() == null ? 0 : parts.value(), work, timestamp));
    }
    folded.clear();
    parts.clear();
    workMs.clear();
    abandonTimer.clear();
  }

  private void clear(Context ctx) throws Exception {
    Long due = abandonTimer.value();
    if (due != null) {
      ctx.timerService().deleteProcessingTimeTimer(due);
    }
    folded.clear();
    parts.clear();
    workMs.clear();
    abandonTimer.clear();
  }

  /** The work one part cost, ms: a part's {@code workMs} is its whole request's ({@link WorkShare}). */
  static double workShareMs(PartialResult part) {
    double requestMs = part.getWorkMs() > 0 ? part.getWorkMs() : part.getInferenceMs();
    return WorkShare.ms(requestMs, part.getSliceItems(), part.getBatchSize());
  }

  /** Folds two parts of one query: worst status wins, top k of the union, maxima of the timings. */
  static PartialResult fold(PartialResult a, PartialResult b) {
    ResultStatus status = worse(a.getStatus(), b.getStatus());
    String reason = a.getStatus() == status && a.getReason() != null ? a.getReason() : b.getReason();
    return PartialResult.newBuilder(a)
        .setStatus(status)
        .setReason(status == ResultStatus.OK ? null : reason)
        .setSliceItems(a.getSliceItems() + b.getSliceItems())
        .setItems(status == ResultStatus.OK ? TopK.merge(a.getItems(), b.getItems(), a.getTopK()) : java.util.List.of())
        .setQueueMs(Math.max(a.getQueueMs(), b.getQueueMs()))
        .setInferenceMs(Math.max(a.getInferenceMs(), b.getInferenceMs()))
        .setBatchSize(Math.max(a.getBatchSize(), b.getBatchSize()))
        .setCompletedTimeMs(Math.max(a.getCompletedTimeMs(), b.getCompletedTimeMs()))
        .setBatchedTimeMs(Math.max(a.getBatchedTimeMs(), b.getBatchedTimeMs()))
        .setReleasedTimeMs(Math.max(a.getReleasedTimeMs(), b.getReleasedTimeMs()))
        .setDevice(a.getDevice().equals(b.getDevice()) ? a.getDevice() : a.getDevice() + "+" + b.getDevice())
        .setQueueDepth(Math.max(a.getQueueDepth(), b.getQueueDepth()))
        .setModelVersion(a.getModelVersion().equals(b.getModelVersion()) ? a.getModelVersion()
            : a.getModelVersion() + "+" + b.getModelVersion())
        .setRolloutFailure(b.getRolloutFailure().isEmpty() ? a.getRolloutFailure() : b.getRolloutFailure())
        // The pool of the part scored last, which completed the query.
        .setWorkerPool(b.getCompletedTimeMs() >= a.getCompletedTimeMs() ? b.getWorkerPool() : a.getWorkerPool())
        .setWorkers(b.getCompletedTimeMs() >= a.getCompletedTimeMs() ? b.getWorkers() : a.getWorkers())
        .build();
  }

  private static ResultStatus worse(ResultStatus a, ResultStatus b) {
    // REJECTED > EXPIRED > OK: one failed part makes the whole query fail with its reason.
    return a.ordinal() >= b.ordinal() ? a : b;
  }

  static RecResult result(PartialResult folded, int parts, double workMs, long emittedTimeMs) {
    return RecResult.newBuilder()
        .setQueryId(folded.getQueryId())
        .setModel(folded.getModel())
        .setStatus(folded.getStatus())
        .setItems(folded.getStatus() == ResultStatus.OK ? folded.getItems() : java.util.List.of())
        .setReason(folded.getReason())
        .setArrivalTimeMs(folded.getArrivalTimeMs())
        .setCompletedTimeMs(folded.getCompletedTimeMs())
        .setQueueMs(folded.getQueueMs())
        .setInferenceMs(folded.getInferenceMs())
        .setTotalMs(Math.max(0, folded.getCompletedTimeMs() - folded.getArrivalTimeMs()))
        .setBatchSize(folded.getBatchSize())
        .setRequests(parts)
        .setDevice(folded.getDevice())
        .setQueryItems(folded.getQueryItems())
        .setBatchSizeSetting(folded.getBatchSizeSetting())
        .setOffloadThreshold(folded.getOffloadThreshold())
        .setWorkMs(workMs)
        .setBatchedTimeMs(folded.getBatchedTimeMs())
        .setReleasedTimeMs(folded.getReleasedTimeMs())
        .setEmittedTimeMs(emittedTimeMs)
        .setMaxQueueDelayMsSetting(folded.getMaxQueueDelayMsSetting())
        .setWorkerPool(folded.getWorkerPool())
        .setWorkers(folded.getWorkers())
        .setQueueDepth(folded.getQueueDepth())
        .setModelVersion(folded.getModelVersion())
        .setRolloutFailure(folded.getRolloutFailure())
        .build();
  }
}

package io.deeprec.flink;

import io.deeprec.schema.RecResult;
import io.deeprec.warmup.WarmupProgress;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keeps the results of the job's own warm-up queries away from the results topic and the metrics
 * windows: they go to the {@link #WARMUP} side output, every other result on.
 */
public class SeparateWarmup extends ProcessFunction<RecResult, RecResult> {
  private static final long serialVersionUID = 1L;

  /** Results of warm-up queries. */
  public static final OutputTag<RecResult> WARMUP = new OutputTag<>("warmup-results", new AvroTypeInfo<>(RecResult.class));

  @Override
  public void processElement(RecResult result, Context ctx, Collector<RecResult> out) {
    if (WarmupProgress.isWarmup(result.getQueryId())) {
      ctx.output(WARMUP, result);
    } else {
      out.collect(result);
    }
  }
}

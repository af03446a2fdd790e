package io.deeprec.flink;

import io.deeprec.schema.DeadLetter;
import io.deeprec.schema.RecQuery;
import io.deeprec.schema.SingleObjectCodec;
import io.deeprec.schema.SingleObjectCodec.SchemaMismatchException;
import io.deeprec.validate.QueryValidator;
import java.nio.ByteBuffer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Decodes query records and checks them; a record that cannot be served goes whole, with the
 * reason, to the {@link #DEAD_LETTERS} side output, and the job goes on.
 */
public class ValidateQueries extends ProcessFunction<RawRecord, RecQuery> {
  private static final long serialVersionUID = 1L;

  public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

  private final QueryValidator validator;
  private transient Counter deadLettered;

  public ValidateQueries(QueryValidator validator) {
    this.validator = validator;
  }

  @Override
  public void open(org.apache.flink.api.common.functions.OpenContext openContext) {
    deadLettered = getRuntimeContext().getMetricGroup().counter("deadLettered");
  }

  @Override
  public void processElement(RawRecord record, Context ctx, Collector<RecQuery> out) {
    RecQuery query;
    try {
      query = SingleObjectCodec.QUERY.decode(record.value);
    } catch (SchemaMismatchException e) {
      reject(record, null, e.getMessage(), ctx);
      return;
    }
    String problem = validator.problem(query);
    if (problem != null) {
      reject(record, query, problem, ctx);
    } else {
      out.collect(query);
    }
  }

  private void reject(RawRecord record, RecQuery query, String reason, Context ctx) {
    deadLettered.inc();
    ctx.output(DEAD_LETTERS, DeadLetter.newBuilder()
        .setOriginalBytes(ByteBuffer.wrap(record.value == null ? new byte[0] : record.value))
        .setTopic(record.topic == null ? "" : record.topic)
        .setPartition(record.partition)
        .setOffset(record.offset)
        .setReason(reason)
        .setModel(query == null ? null : query.getModel())
        .setQueryId(query == null ? null : query.getQueryId())
        .setTimestampMs(ctx.timerService().currentProcessingTime())
        .build());
  }
}

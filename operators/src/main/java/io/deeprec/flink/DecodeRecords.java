package io.deeprec.flink;

import io.deeprec.schema.DeadLetter;
import io.deeprec.schema.SingleObjectCodec;
import io.deeprec.schema.SingleObjectCodec.SchemaMismatchException;
import java.nio.ByteBuffer;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Decodes the records of an internal input topic (control decisions, metrics fed back to the
 * controller); an undecodable record goes to the {@link ValidateQueries#DEAD_LETTERS} side output
 * with the reason instead of failing the job.
 */
public class DecodeRecords<T extends SpecificRecordBase> extends ProcessFunction<RawRecord, T>
    implements ResultTypeQueryable<T> {
  private static final long serialVersionUID = 1L;

  private final Class<T> type;

  public DecodeRecords(Class<T> type) {
    this.type = type;
  }

  @Override
  public void processElement(RawRecord record, Context ctx, Collector<T> out) {
    try {
      out.collect(codec().decode(record.value));
    } catch (SchemaMismatchException e) {
      ctx.output(ValidateQueries.DEAD_LETTERS, deadLetter(record, e.getMessage(), ctx.timerService().currentProcessingTime()));
    }
  }

  /** The dead letter of an undecodable internal-topic record. */
  static DeadLetter deadLetter(RawRecord record, String reason, long nowMs) {
    return DeadLetter.newBuilder()
        .setOriginalBytes(ByteBuffer.wrap(record.value == null ? new byte[0] : record.value))
        .setTopic(record.topic == null ? "" : record.topic)
        .setPartition(record.partition)
        .setOffset(record.offset)
        .setReason(reason)
        .setTimestampMs(nowMs)
        .build();
  }

  @SuppressWarnings("unchecked")
  private SingleObjectCodec<T> codec() {
    for (SingleObjectCodec<?> codec : new SingleObjectCodec<?>[] {SingleObjectCodec.METRICS}) {
      if (codec.type() == type) {
        return (SingleObjectCodec<T>) codec;
      }
    }
    throw new IllegalStateException("no codec for " + type.getName());
  }

  @Override
  public TypeInformation<T> getProducedType() {
    return new AvroTypeInfo<>(type);
  }
}

package io.deeprec.flink;

import io.deeprec.schema.SingleObjectCodec;
import io.deeprec.schema.SingleObjectCodec.SchemaMismatchException;
import io.deeprec.schema.internal.ControlRecord;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Decodes the control topic, which carries two kinds of record: batch settings ({@code
 * ControlDecision}) and model rollouts ({@code ModelRollout}), told apart by their schema
 * fingerprint. Anything else goes to the dead letters with the reason.
 */
public class DecodeControl extends ProcessFunction<RawRecord, ControlRecord> implements ResultTypeQueryable<ControlRecord> {
  private static final long serialVersionUID = 1L;

  @Override
  public void processElement(RawRecord record, Context ctx, Collector<ControlRecord> out) {
    try {
      out.collect(ControlRecord.newBuilder().setDecision(SingleObjectCodec.CONTROL.decode(record.value)).build());
    } catch (SchemaMismatchException notADecision) {
      try {
        out.collect(ControlRecord.newBuilder().setRollout(SingleObjectCodec.ROLLOUT.decode(record.value)).build());
      } catch (SchemaMismatchException notARollout) {
        ctx.output(ValidateQueries.DEAD_LETTERS, DecodeRecords.deadLetter(record,
            "neither a ControlDecision nor a ModelRollout: " + notADecision.getMessage(),
            ctx.timerService().currentProcessingTime()));
      }
    }
  }

  @Override
  public TypeInformation<ControlRecord> getProducedType() {
    return new AvroTypeInfo<>(ControlRecord.class);
  }
}

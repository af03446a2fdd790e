package io.deeprec.job.kafka;

import io.deeprec.schema.ControlDecision;
import io.deeprec.schema.DeadLetter;
import io.deeprec.schema.MetricsSnapshot;
import io.deeprec.schema.RecResult;
import io.deeprec.schema.SingleObjectCodec;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.avro.specific.SpecificRecord;

/**
 * Key and value serializers of the output topics. Concrete classes, not lambdas: the Kafka sink
 * reads their type parameter for lineage, which Flink cannot infer from a lambda.
 */
public final class RecordSerializers {

  private RecordSerializers() {}

  /** Avro single-object encoding of the record. */
  abstract static class Value<T extends SpecificRecord> implements SerializationSchema<T> {
    private static final long serialVersionUID = 1L;

    abstract SingleObjectCodec<T> codec();

    @Override
    public byte[] serialize(T record) {
      return codec().encode(record);
    }
  }

  /** A UTF-8 string key, or no key (null) when the record has none. */
  abstract static class Key<T> implements SerializationSchema<T> {
    private static final long serialVersionUID = 1L;

    abstract String key(T record);

    @Override
    public byte[] serialize(T record) {
      String key = key(record);
      return key == null ? null : key.getBytes(StandardCharsets.UTF_8);
    }
  }

  public static final class ResultValue extends Value<RecResult> {
    private static final long serialVersionUID = 1L;

    @Override
    SingleObjectCodec<RecResult> codec() {
      return SingleObjectCodec.RESULT;
    }
  }

  /** Results are keyed by query id. */
  public static final class ResultKey extends Key<RecResult> {
    private static final long serialVersionUID = 1L;

    @Override
    String key(RecResult record) {
      return record.getQueryId();
    }
  }

  public static final class MetricsValue extends Value<MetricsSnapshot> {
    private static final long serialVersionUID = 1L;

    @Override
    SingleObjectCodec<MetricsSnapshot> codec() {
      return SingleObjectCodec.METRICS;
    }
  }

  /** Metrics are keyed by model, so one model's windows stay in order on one partition. */
  public static final class MetricsKey extends Key<MetricsSnapshot> {
    private static final long serialVersionUID = 1L;

    @Override
    String key(MetricsSnapshot record) {
      return record.getModel();
    }
  }

  public static final class ControlValue extends Value<ControlDecision> {
    private static final long serialVersionUID = 1L;

    @Override
    SingleObjectCodec<ControlDecision> codec() {
      return SingleObjectCodec.CONTROL;
    }
  }

  /** Control decisions are keyed by model: the latest per key wins (a compacted topic works). */
  public static final class ControlKey extends Key<ControlDecision> {
    private static final long serialVersionUID = 1L;

    @Override
    String key(ControlDecision record) {
      return record.getModel();
    }
  }

  public static final class DeadLetterValue extends Value<DeadLetter> {
    private static final long serialVersionUID = 1L;

    @Override
    SingleObjectCodec<DeadLetter> codec() {
      return SingleObjectCodec.DEAD_LETTER;
    }
  }

  /** Dead letters are keyed by query id when the record could be decoded, else unkeyed. */
  public static final class DeadLetterKey extends Key<DeadLetter> {
    private static final long serialVersionUID = 1L;

    @Override
    String key(DeadLetter record) {
      return record.getQueryId();
    }
  }
}

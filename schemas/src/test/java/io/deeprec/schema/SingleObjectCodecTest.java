package io.deeprec.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deeprec.schema.SingleObjectCodec.SchemaMismatchException;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

class SingleObjectCodecTest {

  private static RecQuery sampleQuery() {
    return RecQuery.newBuilder()
        .setQueryId("q-1")
        .setModel("rmc1")
        .setUserId(42L)
        .setCandidateIds(List.of(7L, 8L, 9L))
        .setFeatures(CandidateFeatures.newBuilder()
            .setDense(List.of(0.5f, 1.5f, 2.5f))
            .setSparse(List.of(1, 2, 3))
            .build())
        .setArrivalTimeMs(1_700_000_000_000L)
        .setDeadlineMs(1_700_000_000_100L)
        .setTopK(2)
        .build();
  }

  @Test
  void queryRoundTripsThroughSingleObjectEncoding() {
    RecQuery query = sampleQuery();
    byte[] bytes = SingleObjectCodec.QUERY.encode(query);

    assertThat(bytes[0]).isEqualTo((byte) 0xC3);
    assertThat(bytes[1]).isEqualTo((byte) 0x01);
    assertThat(SingleObjectCodec.QUERY.decode(bytes)).isEqualTo(query);
  }

  @Test
  void everyTopicRecordRoundTrips() {
    RecResult result = RecResult.newBuilder()
        .setQueryId("q-1").setModel("rmc1").setStatus(ResultStatus.OK)
        .setItems(List.of(new ScoredItem(7L, 0.9f)))
        .setArrivalTimeMs(1L).setCompletedTimeMs(5L)
        .setQueueMs(1.0).setInferenceMs(2.0).setTotalMs(4.0)
        .setBatchSize(64).setRequests(3).setDevice("cpu")
        .build();
    DeadLetter deadLetter = DeadLetter.newBuilder()
        .setOriginalBytes(java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}))
        .setTopic("t").setPartition(0).setOffset(12L).setReason("bad").setTimestampMs(9L)
        .build();

    assertThat(SingleObjectCodec.RESULT.decode(SingleObjectCodec.RESULT.encode(result))).isEqualTo(result);
    assertThat(SingleObjectCodec.DEAD_LETTER.decode(SingleObjectCodec.DEAD_LETTER.encode(deadLetter)))
        .isEqualTo(deadLetter);
  }

  @Test
  void recordWrittenWithAnotherSchemaIsDetectedNotMisread() {
    // Same leading field types as RecQuery, so a plain binary decoder could misread it.
    Schema impostor = SchemaBuilder.record("RecQuery").namespace("other")
        .fields().requiredString("queryId").requiredString("model").requiredLong("userId")
        .endRecord();
    GenericRecord record = new GenericData.Record(impostor);
    record.put("queryId", "q-1");
    record.put("model", "rmc1");
    record.put("userId", 42L);
    byte[] bytes;
    try {
      java.nio.ByteBuffer buffer = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), impostor).encode(record);
      bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }

    assertThatThrownBy(() -> SingleObjectCodec.QUERY.decode(bytes))
        .isInstanceOf(SchemaMismatchException.class)
        .hasMessageContaining("unknown schema fingerprint")
        .hasMessageContaining(Long.toHexString(SingleObjectCodec.QUERY.fingerprint()));
  }

  @Test
  void resultBytesAreNotAcceptedAsAQuery() {
    RecResult result = RecResult.newBuilder()
        .setQueryId("q").setModel("m").setStatus(ResultStatus.REJECTED)
        .setArrivalTimeMs(0).setCompletedTimeMs(0).setQueueMs(0).setInferenceMs(0).setTotalMs(0)
        .setBatchSize(0).setRequests(0).setDevice("cpu").build();

    assertThatThrownBy(() -> SingleObjectCodec.QUERY.decode(SingleObjectCodec.RESULT.encode(result)))
        .isInstanceOf(SchemaMismatchException.class)
        .hasMessageContaining("unknown schema fingerprint");
  }

  /** A few bytes claiming a 2^30-item array must be refused, not allocated. */
  @Test
  void hugeLengthPrefixIsRefusedWithoutAllocating() {
    byte[] valid = SingleObjectCodec.QUERY.encode(sampleQuery());
    // Header (10 bytes), queryId "q-1" (1 + 3), model "rmc1" (1 + 4), userId 42 (1): then the
    // candidate array's block count, replaced by the zig-zag varint of 2^30.
    int arrayStart = 10 + 4 + 5 + 1;
    byte[] hostile = java.util.Arrays.copyOf(valid, arrayStart + 5);
    long zigzag = (1L << 30) << 1;
    for (int i = 0; i < 5; i++) {
      hostile[arrayStart + i] = (byte) ((zigzag & 0x7F) | (i < 4 ? 0x80 : 0));
      zigzag >>>= 7;
    }

    assertThatThrownBy(() -> SingleObjectCodec.QUERY.decode(hostile))
        .isInstanceOf(SchemaMismatchException.class)
        .hasMessageContaining("malformed RecQuery body");
  }

  @Test
  void garbageAndTruncatedBytesGiveAClearReason() {
    byte[] valid = SingleObjectCodec.QUERY.encode(sampleQuery());
    byte[] truncated = java.util.Arrays.copyOf(valid, 14);

    assertThatThrownBy(() -> SingleObjectCodec.QUERY.decode("hello world".getBytes()))
        .isInstanceOf(SchemaMismatchException.class)
        .hasMessageContaining("not Avro single-object encoded");
    assertThatThrownBy(() -> SingleObjectCodec.QUERY.decode(truncated))
        .isInstanceOf(SchemaMismatchException.class)
        .hasMessageContaining("malformed RecQuery body");
    assertThatThrownBy(() -> SingleObjectCodec.QUERY.decode(new byte[0]))
        .isInstanceOf(SchemaMismatchException.class);
  }

  @Test
  void readsQueriesOfANewerAndAnOlderCompatibleWriter() {
    SingleObjectCodec<RecQuery> codec = SingleObjectCodec.QUERY.withWriterSchemas(
        List.of(QueryWriterVersions.newer(), QueryWriterVersions.older()));
    RecQuery query = sampleQuery();

    RecQuery fromNewer = codec.decode(QueryWriterVersions.encode(QueryWriterVersions.newer(), query));
    RecQuery fromOlder = codec.decode(QueryWriterVersions.encode(QueryWriterVersions.older(), query));

    assertThat(fromNewer).isEqualTo(query);
    assertThat(fromOlder.getDeadlineMs()).as("a field the writer lacks takes its default").isNull();
    assertThat(fromOlder.getCandidateIds()).isEqualTo(query.getCandidateIds());
    assertThat(codec.compatibleWriters()).hasSize(2);
  }

  @Test
  void refusesAnIncompatibleWriterWithTheReasonAndAnUnregisteredOneAsUnknown() {
    SingleObjectCodec<RecQuery> codec = SingleObjectCodec.QUERY.withWriterSchemas(List.of(QueryWriterVersions.incompatible()));
    RecQuery query = sampleQuery();

    assertThatThrownBy(() -> codec.decode(QueryWriterVersions.encode(QueryWriterVersions.incompatible(), query)))
        .isInstanceOf(SchemaMismatchException.class)
        .hasMessageContaining("is incompatible with RecQuery")
        .hasMessageContaining("/fields/2/type");
    assertThatThrownBy(() -> SingleObjectCodec.QUERY.decode(QueryWriterVersions.encode(QueryWriterVersions.newer(), query)))
        .hasMessageContaining("unknown schema fingerprint");
  }
}

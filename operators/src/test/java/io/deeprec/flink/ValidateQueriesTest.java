package io.deeprec.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deeprec.model.ModelCatalog;
import io.deeprec.model.ModelId;
import io.deeprec.model.ModelSpec;
import io.deeprec.schema.CandidateFeatures;
import io.deeprec.schema.DeadLetter;
import io.deeprec.schema.RecQuery;
import io.deeprec.schema.RecResult;
import io.deeprec.schema.ResultStatus;
import io.deeprec.schema.SingleObjectCodec;
import io.deeprec.validate.QueryValidator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One test per class of bad input, and a fuzz test over random and mutated records. */
class ValidateQueriesTest {

  private static final ModelSpec RMC1 = ModelCatalog.spec(ModelId.RMC1).withTableScale(0.001);
  private static final long NOW = 1_700_000_000_000L;
  private static final long MAX_AGE_MS = 10_000;

  private OneInputStreamOperatorTestHarness<RawRecord, RecQuery> harness;

  @BeforeEach
  void open() throws Exception {
    open(false);
  }

  private void open(boolean requireDeadline) throws Exception {
    if (harness != null) {
      harness.close();
    }
    harness = ProcessFunctionTestHarnesses.forProcessFunction(
        new ValidateQueries(new QueryValidator(Map.of("rmc1", RMC1), 1024, requireDeadline), MAX_AGE_MS));
    harness.setProcessingTime(NOW);
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  private static RecQuery.Builder query(int n) {
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add((long) i);
    }
    return RecQuery.newBuilder().setQueryId("q").setModel("rmc1").setUserId(1).setCandidateIds(ids)
        .setArrivalTimeMs(NOW - 5).setTopK(10);
  }

  private static CandidateFeatures features(int n, float dense, int sparse) {
    return CandidateFeatures.newBuilder()
        .setDense(new ArrayList<>(Collections.nCopies(n * RMC1.denseDim(), dense)))
        .setSparse(new ArrayList<>(Collections.nCopies(n * RMC1.sparseIdsPerItem(), sparse)))
        .build();
  }

  private void send(byte[] bytes, long offset) throws Exception {
    harness.processElement(new StreamRecord<>(new RawRecord("deeprec.queries", 3, offset, NOW, bytes)));
  }

  private List<DeadLetter> deadLetters() {
    List<DeadLetter> out = new ArrayList<>();
    if (harness.getSideOutput(ValidateQueries.DEAD_LETTERS) != null) {
      harness.getSideOutput(ValidateQueries.DEAD_LETTERS).forEach(r -> out.add(r.getValue()));
    }
    return out;
  }

  private List<RecResult> expired() {
    List<RecResult> out = new ArrayList<>();
    if (harness.getSideOutput(ValidateQueries.EXPIRED) != null) {
      harness.getSideOutput(ValidateQueries.EXPIRED).forEach(r -> out.add(r.getValue()));
    }
    return out;
  }

  /** Sends one record and returns the reason of the single dead letter it must produce. */
  private String deadLetterReason(byte[] bytes) throws Exception {
    send(bytes, 42);
    assertThat(harness.extractOutputValues()).isEmpty();
    List<DeadLetter> letters = deadLetters();
    assertThat(letters).hasSize(1);
    DeadLetter letter = letters.get(0);
    assertThat(letter.getTopic()).isEqualTo("deeprec.queries");
    assertThat(letter.getPartition()).isEqualTo(3);
    assertThat(letter.getOffset()).isEqualTo(42);
    byte[] original = new byte[letter.getOriginalBytes().remaining()];
    letter.getOriginalBytes().duplicate().get(original);
    assertThat(original).isEqualTo(bytes);
    return letter.getReason();
  }

  private String reasonFor(RecQuery query) throws Exception {
    return deadLetterReason(SingleObjectCodec.QUERY.encode(query));
  }

  @Test
  void malformedBytes() throws Exception {
    assertThat(deadLetterReason("{\"json\": true}".getBytes(StandardCharsets.UTF_8)))
        .contains("not Avro single-object encoded");
  }

  @Test
  void recordWithAnotherSchemaFingerprint() throws Exception {
    byte[] metrics = SingleObjectCodec.DEAD_LETTER.encode(DeadLetter.newBuilder()
        .setOriginalBytes(java.nio.ByteBuffer.wrap(new byte[] {1})).setTopic("t").setPartition(0).setOffset(0)
        .setReason("r").setTimestampMs(0).build());
    assertThat(deadLetterReason(metrics)).contains("unknown schema fingerprint");
  }

  @Test
  void unknownModel() throws Exception {
    assertThat(reasonFor(query(3).setModel("bert").build())).contains("unknown model 'bert'");
  }

  @Test
  void emptyCandidateList() throws Exception {
    assertThat(reasonFor(query(0).build())).isEqualTo("empty candidate list");
  }

  @Test
  void moreCandidatesThanTheMaximum() throws Exception {
    assertThat(reasonFor(query(1025).build())).contains("1025 candidates exceed the maximum of 1024");
  }

  @Test
  void nanAndInfiniteDenseFeatures() throws Exception {
    assertThat(reasonFor(query(2).setFeatures(features(2, Float.NaN, 0)).build())).contains("is NaN");
    open();
    assertThat(reasonFor(query(2).setFeatures(features(2, Float.NEGATIVE_INFINITY, 0)).build()))
        .contains("is -Infinity");
  }

  @Test
  void negativeAndOutOfRangeSparseIds() throws Exception {
    assertThat(reasonFor(query(2).setFeatures(features(2, 0f, -7)).build())).contains("sparse id -7 of table");
    open();
    assertThat(reasonFor(query(2).setFeatures(features(2, 0f, Integer.MAX_VALUE)).build()))
        .contains("is outside [0, ");
  }

  @Test
  void missingDeadlineWhenTheJobRequiresOne() throws Exception {
    open(true);
    assertThat(reasonFor(query(2).build())).contains("deadline is missing");
  }

  @Test
  void deadlineBeforeArrivalIsInvalid() throws Exception {
    assertThat(reasonFor(query(2).setDeadlineMs(NOW - 100).build())).contains("is before arrivalTimeMs");
  }

  /** A deadline already in the past is answered EXPIRED at once: no dead letter, no model time. */
  @Test
  void deadlineInThePastIsAnsweredExpired() throws Exception {
    send(SingleObjectCodec.QUERY.encode(query(4).setDeadlineMs(NOW - 2).build()), 1);

    assertThat(harness.extractOutputValues()).isEmpty();
    assertThat(deadLetters()).isEmpty();
    assertThat(expired()).singleElement().satisfies(result -> {
      assertThat(result.getStatus()).isEqualTo(ResultStatus.EXPIRED);
      assertThat(result.getReason()).contains("deadline passed 2 ms before");
      assertThat(result.getInferenceMs()).isZero();
    });
  }

  /**
   * Input: a query sent 10.001 s ago (older than the 10 s maximum age), with no deadline, and one
   * sent exactly 10 s ago. Output: the first is answered EXPIRED with the age in the reason and no
   * model time; the second is served.
   */
  @Test
  void aQueryOlderThanTheMaximumAgeIsAnsweredExpired() throws Exception {
    send(SingleObjectCodec.QUERY.encode(query(4).setQueryId("stale").setArrivalTimeMs(NOW - MAX_AGE_MS - 1).build()), 1);
    send(SingleObjectCodec.QUERY.encode(query(4).setQueryId("old-enough").setArrivalTimeMs(NOW - MAX_AGE_MS).build()), 2);

    assertThat(harness.extractOutputValues()).extracting(RecQuery::getQueryId).containsExactly("old-enough");
    assertThat(deadLetters()).isEmpty();
    assertThat(expired()).singleElement().satisfies(result -> {
      assertThat(result.getQueryId()).isEqualTo("stale");
      assertThat(result.getStatus()).isEqualTo(ResultStatus.EXPIRED);
      assertThat(result.getReason()).contains("10001 ms old").contains("maximum age of 10000 ms");
      assertThat(result.getInferenceMs()).isZero();
      assertThat(result.getWorkMs()).isZero();
      assertThat(result.getRequests()).isZero();
    });
  }

  @Test
  void aMaximumAgeOfZeroIsRefused() {
    assertThatThrownBy(() -> new ValidateQueries(new QueryValidator(Map.of("rmc1", RMC1), 1024, false), 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maximum query age");
  }

  @Test
  void validQueriesPassWithOrWithoutDeadline() throws Exception {
    send(SingleObjectCodec.QUERY.encode(query(2).build()), 1);
    send(SingleObjectCodec.QUERY.encode(query(2).setDeadlineMs(NOW + 50).setFeatures(features(2, 0.5f, 3)).build()), 2);

    assertThat(harness.extractOutputValues()).hasSize(2);
    assertThat(deadLetters()).isEmpty();
  }

  /**
   * Input: 10,000 records: random bytes, a valid header with a random body, and valid queries with
   * random bit flips, truncations and extensions. Output: every record yields exactly one outcome
   * (a query, a dead letter with a reason, or an EXPIRED result) and nothing throws.
   */
  @Test
  void fuzzedRecordsNeverFailTheOperator() throws Exception {
    SplittableRandom random = new SplittableRandom(2026);
    byte[] valid = SingleObjectCodec.QUERY.encode(query(5).setFeatures(features(5, 0.25f, 1)).build());
    int records = 10_000;
    for (int i = 0; i < records; i++) {
      byte[] bytes;
      switch (i % 4) {
        case 0:
          bytes = new byte[random.nextInt(0, 200)];
          random.nextBytes(bytes);
          break;
        case 1:
          bytes = Arrays.copyOf(valid, random.nextInt(0, valid.length * 2));
          for (int j = 10; j < bytes.length; j++) {
            bytes[j] = (byte) random.nextInt(256);
          }
          break;
        case 2:
          bytes = valid.clone();
          for (int flips = random.nextInt(1, 6); flips > 0; flips--) {
            int at = random.nextInt(bytes.length);
            bytes[at] ^= (byte) (1 << random.nextInt(8));
          }
          break;
        default:
          bytes = Arrays.copyOf(valid, random.nextInt(0, valid.length + 16));
          break;
      }
      send(bytes, i);
    }

    int outcomes = harness.extractOutputValues().size() + deadLetters().size() + expired().size();
    assertThat(outcomes).isEqualTo(records);
    assertThat(deadLetters()).allSatisfy(letter -> assertThat(letter.getReason()).isNotBlank());
    assertThat(deadLetters().size()).as("most fuzzed records are bad").isGreaterThan(records / 2);
  }
}

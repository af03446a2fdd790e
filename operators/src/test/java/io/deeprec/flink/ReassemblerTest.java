package io.deeprec.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.deeprec.schema.RecResult;
import io.deeprec.schema.ResultStatus;
import io.deeprec.schema.ScoredItem;
import io.deeprec.schema.internal.PartialResult;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReassemblerTest {

  private KeyedOneInputStreamOperatorTestHarness<String, PartialResult, RecResult> harness;

  @BeforeEach
  void open() throws Exception {
    harness = ProcessFunctionTestHarnesses.forKeyedProcessFunction(
        new Reassembler(10_000), PartialResult::getQueryId, Types.STRING);
    harness.setProcessingTime(0);
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  static PartialResult part(String queryId, int sliceItems, long completedMs, ResultStatus status, ScoredItem... items) {
    return PartialResult.newBuilder()
        .setQueryId(queryId).setModel("rmc1").setStatus(status)
        .setReason(status == ResultStatus.OK ? null : "deadline passed")
        .setArrivalTimeMs(100).setQueryItems(150).setSliceItems(sliceItems).setTopK(3)
        .setItems(List.of(items)).setQueueMs(sliceItems / 10.0).setInferenceMs(2.0)
        .setBatchSize(sliceItems).setCompletedTimeMs(completedMs).setDevice("cpu")
        .build();
  }

  /** A part that ran alone in a request of its own items, whose model call took {@code inferenceMs}. */
  static PartialResult ranAlone(int sliceItems, double inferenceMs) {
    return PartialResult.newBuilder(part("q", sliceItems, 130, ResultStatus.OK, new ScoredItem((long) sliceItems, 0.5f)))
        .setInferenceMs(inferenceMs).build();
  }

  /** Input: parts of 64, 22 and 64 items of one 150-item query. Output: one result after the last, top 3 of all. */
  @Test
  void lastPartCompletesTheQueryWithTheTopKOfAllParts() throws Exception {
    harness.processElement(new StreamRecord<>(part("q", 64, 130, ResultStatus.OK,
        new ScoredItem(1L, 0.9f), new ScoredItem(2L, 0.5f), new ScoredItem(3L, 0.1f))));
    harness.processElement(new StreamRecord<>(part("q", 22, 150, ResultStatus.OK,
        new ScoredItem(4L, 0.7f), new ScoredItem(5L, 0.2f))));
    assertThat(harness.extractOutputValues()).isEmpty();
    assertThat(harness.numKeyedStateEntries()).isPositive();

    harness.processElement(new StreamRecord<>(part("q", 64, 140, ResultStatus.OK,
        new ScoredItem(6L, 0.8f), new ScoredItem(7L, 0.05f))));

    List<RecResult> results = harness.extractOutputValues();
    assertThat(results).hasSize(1);
    RecResult result = results.get(0);
    assertThat(result.getStatus()).isEqualTo(ResultStatus.OK);
    assertThat(result.getItems()).extracting(ScoredItem::getItemId).containsExactly(1L, 6L, 4L);
    assertThat(result.getRequests()).isEqualTo(3);
    assertThat(result.getCompletedTimeMs()).isEqualTo(150);
    assertThat(result.getTotalMs()).isEqualTo(50.0);
    assertThat(result.getBatchSize()).isEqualTo(64);
    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(harness.numProcessingTimeTimers()).isZero();
  }

  /**
   * Input: three parts, each alone in its request, whose model calls took 3, 1.5 and 4 ms. Output:
   * the query cost the workers 8.5 ms, while inferenceMs stays the longest part (4 ms).
   */
  @Test
  void workerTimeIsTheSumOfThePartsModelTime() throws Exception {
    harness.processElement(new StreamRecord<>(ranAlone(64, 3.0)));
    harness.processElement(new StreamRecord<>(ranAlone(22, 1.5)));
    harness.processElement(new StreamRecord<>(ranAlone(64, 4.0)));

    RecResult result = harness.extractOutputValues().get(0);
    assertThat(result.getWorkMs()).isEqualTo(8.5);
    assertThat(result.getInferenceMs()).isEqualTo(4.0);
  }

  /**
   * Input: a 100-item part alone in its request (4 ms), and a 50-item part that shared a 200-item
   * request with other queries (8 ms for the whole request). Output: 4 + 8 * 50 / 200 = 6 ms, not
   * 12: the shared request's time is the other queries' too, and counting it whole for each of them
   * would overstate what a query costs whenever the batcher merges queries.
   */
  /**
   * Input: two 75-item parts, each in a request of its own: 3 ms in the model, each charged 4.5 ms of
   * work by its worker pool. Output: a work of 9 ms; the charge, not the model's wall time, counts.
   */
  @Test
  void eachRequestsChargedWorkCountsInTheQuerysWork() throws Exception {
    harness.processElement(new StreamRecord<>(PartialResult.newBuilder(ranAlone(75, 3.0)).setWorkMs(4.5).build()));
    harness.processElement(new StreamRecord<>(PartialResult.newBuilder(ranAlone(75, 3.0)).setWorkMs(4.5).build()));

    RecResult result = harness.extractOutputValues().get(0);
    assertThat(result.getWorkMs()).isEqualTo(9.0);
  }

  @Test
  void aRequestSharedWithOtherQueriesCountsOnlyThisQuerysShare() throws Exception {
    harness.processElement(new StreamRecord<>(ranAlone(100, 4.0)));
    harness.processElement(new StreamRecord<>(PartialResult.newBuilder(ranAlone(50, 8.0)).setBatchSize(200).build()));

    RecResult result = harness.extractOutputValues().get(0);
    assertThat(result.getWorkMs()).isEqualTo(6.0);
    assertThat(result.getInferenceMs()).isEqualTo(8.0);
  }

  /** Input: one expired part among OK parts. Output: the query is EXPIRED, with the reason and no items. */
  @Test
  void oneExpiredPartExpiresTheQuery() throws Exception {
    harness.processElement(new StreamRecord<>(part("q", 100, 130, ResultStatus.OK, new ScoredItem(1L, 0.9f))));
    harness.processElement(new StreamRecord<>(part("q", 50, 131, ResultStatus.EXPIRED)));

    RecResult result = harness.extractOutputValues().get(0);
    assertThat(result.getStatus()).isEqualTo(ResultStatus.EXPIRED);
    assertThat(result.getReason()).isEqualTo("deadline passed");
    assertThat(result.getItems()).isEmpty();
  }

  /** Input: a single part covering the whole query. Output: the result at once, no timer left. */
  @Test
  void aQueryServedInOneRequestNeedsNoState() throws Exception {
    PartialResult whole = PartialResult.newBuilder(part("q", 150, 120, ResultStatus.OK, new ScoredItem(9L, 0.4f))).build();

    harness.processElement(new StreamRecord<>(whole));

    assertThat(harness.extractOutputValues()).hasSize(1);
    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(harness.numProcessingTimeTimers()).isZero();
  }

  /**
   * Input: two parts, then nothing for the abandon time. Output: REJECTED naming what is missing,
   * with the worker time the two parts did cost; state cleared.
   */
  @Test
  void anIncompleteQueryIsAnsweredRejectedAfterTheAbandonTime() throws Exception {
    harness.processElement(new StreamRecord<>(ranAlone(64, 3.0)));
    harness.processElement(new StreamRecord<>(ranAlone(22, 1.5)));

    harness.setProcessingTime(10_000);

    RecResult result = harness.extractOutputValues().get(0);
    assertThat(result.getStatus()).isEqualTo(ResultStatus.REJECTED);
    assertThat(result.getReason()).contains("86 of 150 items scored");
    assertThat(result.getWorkMs()).isEqualTo(4.5);
    assertThat(harness.numKeyedStateEntries()).isZero();
  }
}

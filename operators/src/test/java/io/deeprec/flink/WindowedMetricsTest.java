package io.deeprec.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.deeprec.schema.DeadLetter;
import io.deeprec.schema.MetricsSnapshot;
import io.deeprec.schema.RecResult;
import io.deeprec.schema.ResultStatus;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WindowedMetricsTest {

  private KeyedTwoInputStreamOperatorTestHarness<String, RecResult, DeadLetter, MetricsSnapshot> harness;

  @BeforeEach
  void open() throws Exception {
    harness = ProcessFunctionTestHarnesses.forKeyedCoProcessFunction(
        new WindowedMetrics(1000, Map.of()), RecResult::getModel,
        d -> d.getModel() == null ? WindowedMetrics.UNKNOWN_MODEL : d.getModel(), Types.STRING);
    harness.setProcessingTime(0);
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  static RecResult result(String queryId, ResultStatus status, double totalMs, double workMs) {
    return RecResult.newBuilder()
        .setQueryId(queryId).setModel("rmc1").setStatus(status)
        .setReason(status == ResultStatus.OK ? null : "deadline passed")
        .setArrivalTimeMs(0).setCompletedTimeMs((long) totalMs)
        .setQueueMs(0).setInferenceMs(workMs).setTotalMs(totalMs)
        .setBatchSize(64).setRequests(1).setDevice("cpu").setQueryItems(64).setBatchSizeSetting(64)
        .setWorkMs(workMs)
        .build();
  }

  private MetricsSnapshot closeWindow() throws Exception {
    harness.setProcessingTime(1000);
    List<MetricsSnapshot> windows = harness.extractOutputValues();
    assertThat(windows).hasSize(1);
    return windows.get(0);
  }

  /**
   * Input: OK queries that cost the workers 4 and 8 ms, an expired one (0) and an abandoned one that
   * cost 5 ms before it failed. Output: 6 ms per OK query: the failed ones are not what the
   * policy's settings serve, and counting them would skew the mean either way.
   */
  @Test
  void workerTimePerQueryIsTheMeanOverTheWindowsOkQueries() throws Exception {
    harness.processElement1(new StreamRecord<>(result("a", ResultStatus.OK, 20, 4.0)));
    harness.processElement1(new StreamRecord<>(result("b", ResultStatus.EXPIRED, 90, 0.0)));
    harness.processElement1(new StreamRecord<>(result("c", ResultStatus.OK, 30, 8.0)));
    harness.processElement1(new StreamRecord<>(result("d", ResultStatus.REJECTED, 10_000, 5.0)));

    MetricsSnapshot window = closeWindow();

    assertThat(window.getQueries()).isEqualTo(4);
    assertThat(window.getOkCount()).isEqualTo(2);
    assertThat(window.getWorkMsPerQuery()).isEqualTo(6.0);
  }

  /** A window without an OK query reports 0 (unknown), not a mean over nothing. */
  @Test
  void aWindowWithoutOkQueriesReportsNoWorkerTime() throws Exception {
    harness.processElement1(new StreamRecord<>(result("a", ResultStatus.REJECTED, 10_000, 5.0)));
    harness.processElement2(new StreamRecord<>(DeadLetter.newBuilder()
        .setOriginalBytes(java.nio.ByteBuffer.wrap(new byte[] {1})).setTopic("deeprec.queries")
        .setPartition(0).setOffset(1).setReason("bad").setModel("rmc1").setTimestampMs(0)
        .build()));

    MetricsSnapshot window = closeWindow();

    assertThat(window.getOkCount()).isZero();
    assertThat(window.getDeadLetterCount()).isEqualTo(1);
    assertThat(window.getWorkMsPerQuery()).isZero();
  }

  /** Each window starts afresh: the mean of one window does not leak into the next. */
  @Test
  void theNextWindowAveragesOnlyItsOwnQueries() throws Exception {
    harness.processElement1(new StreamRecord<>(result("a", ResultStatus.OK, 20, 4.0)));
    closeWindow();
    harness.processElement1(new StreamRecord<>(result("b", ResultStatus.OK, 20, 10.0)));

    harness.setProcessingTime(2000);

    List<MetricsSnapshot> windows = harness.extractOutputValues();
    assertThat(windows).hasSize(2);
    assertThat(windows.get(1).getWorkMsPerQuery()).isEqualTo(10.0);
  }
}

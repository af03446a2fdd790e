package io.deeprec.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.deeprec.sched.BatchPolicy;
import io.deeprec.sched.BatchPolicies;
import io.deeprec.sched.BatchSettings;
import io.deeprec.sched.PolicyConfig;
import io.deeprec.sched.WindowObservation;
import io.deeprec.schema.ControlDecision;
import io.deeprec.schema.DecisionSource;
import io.deeprec.schema.MetricsSnapshot;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PolicyControllerTest {

  private KeyedTwoInputStreamOperatorTestHarness<String, MetricsSnapshot, ControlDecision, ControlDecision> harness;

  private void open(String policy) throws Exception {
    open(BatchPolicies.create(policy, PolicyConfig.defaults(100.0)));
  }

  private void open(BatchPolicy rmc1) throws Exception {
    harness = ProcessFunctionTestHarnesses.forKeyedCoProcessFunction(
        new PolicyController(Map.of("rmc1", rmc1)), MetricsSnapshot::getModel, ControlDecision::getModel, Types.STRING);
  }

  @AfterEach
  void close() throws Exception {
    if (harness != null) {
      harness.close();
    }
  }

  static MetricsSnapshot window(long end, double p95Ms, int batchSize) {
    return MetricsSnapshot.newBuilder()
        .setModel("rmc1").setWindowStartMs(end - 1000).setWindowEndMs(end)
        .setQueries(100).setQps(100).setP50Ms(p95Ms / 2).setP95Ms(p95Ms).setP99Ms(p95Ms * 1.2)
        .setBatchSize(batchSize).setOffloadThreshold(0).setPolicy("deeprecsched").setQueueDepth(0)
        .setOkCount(100).setExpiredCount(0).setRejectedCount(0).setDeadLetterCount(0)
        .setMeanQueryItems(167).setMaxQueryItems(260).setOffloadedCount(0)
        .build();
  }

  private void feedWindows(int count, double p95Ms) throws Exception {
    for (int i = 0; i < count; i++) {
      harness.processElement1(new StreamRecord<>(window(1_000L * (i + 1), p95Ms, 64)));
    }
  }

  /** Input: 30 one-second windows to deeprecsched. Output: decisions from the controller that move the batch size. */
  @Test
  void adaptivePolicyPublishesDecisionsFromMetricsWindows() throws Exception {
    open("deeprecsched");

    feedWindows(30, 40.0);

    List<ControlDecision> decisions = harness.extractOutputValues();
    assertThat(decisions).isNotEmpty();
    assertThat(decisions).allSatisfy(d -> {
      assertThat(d.getModel()).isEqualTo("rmc1");
      assertThat(d.getSource()).isEqualTo(DecisionSource.CONTROLLER);
      assertThat(d.getPolicy()).isEqualTo("deeprecsched");
      assertThat(d.getBatchSize()).isBetween(1, 1024);
      assertThat(d.getReason()).contains("window p95 40.0 ms");
    });
    // Consecutive decisions differ: the controller publishes changes, not repeats.
    for (int i = 1; i < decisions.size(); i++) {
      assertThat(decisions.get(i).getBatchSize() != decisions.get(i - 1).getBatchSize()
          || decisions.get(i).getOffloadThreshold() != decisions.get(i - 1).getOffloadThreshold()).isTrue();
    }
  }

  /**
   * An adaptive policy that shows what it was told: its batch size becomes the window's worker time
   * per query in tenths of a ms, or 1 when the window says it was not measured. The controller
   * works on a copy of the policy, so its decisions are the only way to see what the copy observed.
   */
  static final class EchoWorkPolicy implements BatchPolicy {
    private static final long serialVersionUID = 1L;
    private BatchSettings settings = new BatchSettings(64, 0, 0);

    @Override
    public String name() {
      return "echo-work";
    }

    @Override
    public BatchSettings settings() {
      return settings;
    }

    @Override
    public BatchSettings observe(WindowObservation window) {
      int batch = Double.isNaN(window.workMsPerQuery()) ? 1 : (int) Math.round(window.workMsPerQuery() * 10);
      settings = new BatchSettings(batch, 0, 0);
      return settings;
    }

    @Override
    public boolean adaptive() {
      return true;
    }
  }

  /** Input: windows saying 12.5 ms, then 0 ms (not measured). Output: the policy saw 12.5, then NaN. */
  @Test
  void workerTimePerQueryReachesThePolicyAndZeroMeansUnknown() throws Exception {
    open(new EchoWorkPolicy());

    harness.processElement1(new StreamRecord<>(
        MetricsSnapshot.newBuilder(window(1_000, 40.0, 64)).setWorkMsPerQuery(12.5).build()));
    harness.processElement1(new StreamRecord<>(
        MetricsSnapshot.newBuilder(window(2_000, 40.0, 125)).setWorkMsPerQuery(0).build()));

    assertThat(harness.extractOutputValues()).extracting(ControlDecision::getBatchSize).containsExactly(125, 1);
  }

  /** A manual pin silences the controller for that model until released. */
  @Test
  void manualPinStopsAdaptationUntilReleased() throws Exception {
    open("deeprecsched");
    harness.processElement2(new StreamRecord<>(MicroBatcherTest.decision(50, 0, DecisionSource.MANUAL, true)));

    feedWindows(30, 40.0);
    assertThat(harness.extractOutputValues()).isEmpty();

    harness.processElement2(new StreamRecord<>(MicroBatcherTest.decision(50, 0, DecisionSource.MANUAL, false)));
    for (int i = 0; i < 30; i++) {
      harness.processElement1(new StreamRecord<>(window(100_000L + 1_000L * i, 40.0, 64)));
    }
    assertThat(harness.extractOutputValues()).isNotEmpty();
  }

  /** Static policies never publish: their settings come from the job's configuration. */
  @Test
  void staticPoliciesPublishNothing() throws Exception {
    open("fixed");

    feedWindows(30, 400.0);

    assertThat(harness.extractOutputValues()).isEmpty();
  }
}

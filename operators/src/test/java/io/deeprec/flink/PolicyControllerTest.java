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
import io.deeprec.serving.PolicyFeedback;
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
    return window(end, p95Ms, batchSize, 100);
  }

  static MetricsSnapshot window(long end, double p95Ms, int batchSize, int queries) {
    return MetricsSnapshot.newBuilder()
        .setModel("rmc1").setWindowStartMs(end - 1000).setWindowEndMs(end)
        .setQueries(queries).setQps(queries).setP50Ms(p95Ms / 2).setP95Ms(p95Ms).setP99Ms(p95Ms * 1.2)
        .setBatchSize(batchSize).setOffloadThreshold(0).setPolicy("deeprecsched").setQueueDepth(0)
        .setOkCount(queries).setExpiredCount(0).setRejectedCount(0).setDeadLetterCount(0)
        .setMeanQueryItems(167).setMaxQueryItems(260).setOffloadedCount(0)
        .build();
  }

  /**
   * Feeds {@code count} windows as the loop would: each served under the settings of the latest
   * decision so far ({@code initialBatch} before any), starting at window end {@code fromMs}.
   */
  private void feedWindowsFollowingDecisions(long fromMs, int count, double p95Ms, int initialBatch) throws Exception {
    feedWindowsFollowingDecisions(fromMs, count, p95Ms, initialBatch, 100);
  }

  private void feedWindowsFollowingDecisions(long fromMs, int count, double p95Ms, int initialBatch, int queries)
      throws Exception {
    for (int i = 0; i < count; i++) {
      List<ControlDecision> decisions = harness.extractOutputValues();
      int batch = decisions.isEmpty() ? initialBatch : decisions.get(decisions.size() - 1).getBatchSize();
      harness.processElement1(new StreamRecord<>(window(fromMs + 1_000L * i, p95Ms, batch, queries)));
    }
  }

  private static int seedBatch(String policy) {
    return BatchPolicies.create(policy, PolicyConfig.defaults(100.0)).settings().batchSize();
  }

  /** Input: 30 one-second windows to deeprecsched. Output: decisions from the controller that move the batch size. */
  @Test
  void adaptivePolicyPublishesDecisionsFromMetricsWindows() throws Exception {
    open("deeprecsched");

    feedWindowsFollowingDecisions(1_000, 30, 40.0, seedBatch("deeprecsched"));

    List<ControlDecision> decisions = harness.extractOutputValues();
    assertThat(decisions).isNotEmpty();
    assertThat(decisions).allSatisfy(d -> {
      assertThat(d.getModel()).isEqualTo("rmc1");
      assertThat(d.getSource()).isEqualTo(DecisionSource.CONTROLLER);
      assertThat(d.getPolicy()).isEqualTo("deeprecsched");
      assertThat(d.getBatchSize()).isBetween(1, 1024);
      assertThat(d.getReason()).contains("p95 40.0 ms");
    });
    // A decision repeats the settings before it only to say why it keeps them.
    for (int i = 1; i < decisions.size(); i++) {
      ControlDecision before = decisions.get(i - 1);
      ControlDecision decision = decisions.get(i);
      if (decision.getBatchSize() == before.getBatchSize() && decision.getOffloadThreshold() == before.getOffloadThreshold()) {
        assertThat(decision.getReason()).startsWith("batch " + decision.getBatchSize() + ", threshold 0 kept: ");
      }
    }
  }

  /**
   * Input: windows at 100 queries/s until deeprecsched holds a choice, a few more, then windows at 200 queries/s.
   * Output: a decision that keeps the held settings and says the load moved (the start of a new exploration is
   * on the control topic even though the first setting it measures is the one held); only holds say they hold.
   */
  @Test
  void aNewExplorationIsPublishedEvenBeforeTheSettingsMove() throws Exception {
    open("deeprecsched");
    long endMs = 1_000;
    int windows = 0;
    while (harness.extractOutputValues().stream().noneMatch(d -> d.getReason().contains("; hold batch"))) {
      assertThat(windows++).as("windows before deeprecsched holds").isLessThan(200);
      feedWindowsFollowingDecisions(endMs, 1, 40.0, seedBatch("deeprecsched"));
      endMs += 1_000;
    }
    feedWindowsFollowingDecisions(endMs, 10, 40.0, seedBatch("deeprecsched"));
    List<ControlDecision> beforeStep = List.copyOf(harness.extractOutputValues());
    ControlDecision held = beforeStep.get(beforeStep.size() - 1);

    feedWindowsFollowingDecisions(endMs + 10_000, 10, 40.0, held.getBatchSize(), 200);

    List<ControlDecision> afterStep = harness.extractOutputValues().subList(beforeStep.size(), harness.extractOutputValues().size());
    assertThat(afterStep).as("decisions after the load doubled").isNotEmpty();
    assertThat(afterStep.get(0).getBatchSize()).isEqualTo(held.getBatchSize());
    assertThat(afterStep.get(0).getReason()).contains("kept: explore again: load moved from 100.0 to ");
    // Each decision says whether the policy holds it: a benchmark waits for a hold, not for a quiet spell.
    assertThat(beforeStep).filteredOn(d -> d.getReason().contains("; hold batch")).allMatch(ControlDecision::getHolding);
    assertThat(beforeStep).filteredOn(d -> d.getReason().contains("; next batch")).noneMatch(ControlDecision::getHolding);
    assertThat(afterStep.get(0).getHolding()).as("a new exploration holds nothing").isFalse();
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

    for (int i = 0; i < 30; i++) {
      harness.processElement1(new StreamRecord<>(window(1_000L * (i + 1), 40.0, 50)));
    }
    assertThat(harness.extractOutputValues()).isEmpty();

    harness.processElement2(new StreamRecord<>(MicroBatcherTest.decision(50, 0, DecisionSource.MANUAL, false)));
    feedWindowsFollowingDecisions(100_000, 30, 40.0, seedBatch("deeprecsched"));
    assertThat(harness.extractOutputValues()).isNotEmpty();
  }

  /** Static policies never publish: their settings come from the job's configuration. */
  @Test
  void staticPoliciesPublishNothing() throws Exception {
    open("fixed");

    feedWindowsFollowingDecisions(1_000, 30, 400.0, 64);

    assertThat(harness.extractOutputValues()).isEmpty();
  }

  /**
   * An adaptive policy whose batch size counts the windows it learned from (10 + windows): what it
   * was shown is visible in its decisions, and its count is its learning state.
   */
  static final class CountingPolicy implements BatchPolicy {
    private static final long serialVersionUID = 1L;
    private int learned;

    @Override
    public String name() {
      return "counting";
    }

    @Override
    public BatchSettings settings() {
      return new BatchSettings(10 + learned, 0, 0);
    }

    @Override
    public BatchSettings observe(WindowObservation window) {
      learned++;
      return settings();
    }

    @Override
    public boolean adaptive() {
      return true;
    }
  }

  /**
   * Input: a window served at batch 64 (the policy's) -> decision 125; then a window still served
   * at 64 (batched before the decision arrived), then one at 125. Output: decisions 125 and 40: the
   * late window taught the policy nothing and was not credited to 125.
   */
  @Test
  void aWindowServedUnderOlderSettingsTeachesThePolicyNothing() throws Exception {
    open(new EchoWorkPolicy());

    harness.processElement1(new StreamRecord<>(
        MetricsSnapshot.newBuilder(window(1_000, 40.0, 64)).setWorkMsPerQuery(12.5).build()));
    harness.processElement1(new StreamRecord<>(
        MetricsSnapshot.newBuilder(window(2_000, 40.0, 64)).setWorkMsPerQuery(3.0).build()));
    harness.processElement1(new StreamRecord<>(
        MetricsSnapshot.newBuilder(window(3_000, 40.0, 125)).setWorkMsPerQuery(4.0).build()));

    assertThat(harness.extractOutputValues()).extracting(ControlDecision::getBatchSize).containsExactly(125, 40);
  }

  /** Input: a window at the policy's batch size but marked mixed (a change took effect in it). Output: nothing learned. */
  @Test
  void aWindowServedUnderMixedSettingsTeachesThePolicyNothing() throws Exception {
    open(new CountingPolicy());

    harness.processElement1(new StreamRecord<>(
        MetricsSnapshot.newBuilder(window(1_000, 40.0, 10)).setMixedSettings(true).build()));
    harness.processElement1(new StreamRecord<>(window(2_000, 40.0, 10)));

    assertThat(harness.extractOutputValues()).extracting(ControlDecision::getBatchSize).containsExactly(11);
  }

  /**
   * Input: a decision (batch 11), then windows that keep reporting batch 10 (the decision never
   * reached the batchers). Output: after {@value PolicyFeedback#RESEND_AFTER_WINDOWS} such windows
   * the controller sends batch 11 again, and the policy learned nothing meanwhile.
   */
  @Test
  void aDecisionIsSentAgainWhenWindowsKeepShowingOtherSettings() throws Exception {
    open(new CountingPolicy());

    harness.processElement1(new StreamRecord<>(window(1_000, 40.0, 10)));
    for (int i = 0; i < PolicyFeedback.RESEND_AFTER_WINDOWS; i++) {
      harness.processElement1(new StreamRecord<>(window(2_000 + 1_000L * i, 40.0, 10)));
    }

    List<ControlDecision> decisions = harness.extractOutputValues();
    assertThat(decisions).extracting(ControlDecision::getBatchSize).containsExactly(11, 11);
    assertThat(decisions.get(1).getReason()).startsWith("resent");
  }

  /** Restores a fresh controller of the same policies from a snapshot of the current one. */
  private void failOver(BatchPolicy rmc1) throws Exception {
    org.apache.flink.runtime.checkpoint.OperatorSubtaskState snapshot = harness.snapshot(1L, 1L);
    harness.close();
    harness = new KeyedTwoInputStreamOperatorTestHarness<>(
        new org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator<>(new PolicyController(Map.of("rmc1", rmc1))),
        MetricsSnapshot::getModel, ControlDecision::getModel, Types.STRING);
    harness.initializeState(snapshot);
    harness.open();
  }

  /** Input: a manual pin, a checkpoint, a failover, then windows. Output: no decision: the pin held. */
  @Test
  void aPinSurvivesAFailover() throws Exception {
    open(new CountingPolicy());
    harness.processElement2(new StreamRecord<>(MicroBatcherTest.decision(50, 0, DecisionSource.MANUAL, true)));

    failOver(new CountingPolicy());
    for (int i = 0; i < 10; i++) {
      harness.processElement1(new StreamRecord<>(window(1_000L * (i + 1), 40.0, 50)));
    }

    assertThat(harness.extractOutputValues()).isEmpty();
  }

  /**
   * Input: one window learned (decision 11), a checkpoint, a failover, a window at 11. Output:
   * decision 12: the restored policy resumed from its checkpointed learning state, not its seed.
   */
  @Test
  void aPolicyResumesItsLearningStateAfterAFailover() throws Exception {
    open(new CountingPolicy());
    harness.processElement1(new StreamRecord<>(window(1_000, 40.0, 10)));

    failOver(new CountingPolicy());
    harness.processElement1(new StreamRecord<>(window(2_000, 40.0, 11)));

    assertThat(harness.extractOutputValues()).extracting(ControlDecision::getBatchSize).containsExactly(12);
  }

  /** An adaptive policy whose batch size becomes the worker count its window reports. */
  static final class EchoWorkersPolicy implements BatchPolicy {
    private static final long serialVersionUID = 1L;
    private BatchSettings settings = new BatchSettings(64, 0, 0);

    @Override
    public String name() {
      return "echo-workers";
    }

    @Override
    public BatchSettings settings() {
      return settings;
    }

    @Override
    public BatchSettings observe(WindowObservation window) {
      settings = new BatchSettings(Math.max(1, window.workers()), 0, 0);
      return settings;
    }

    @Override
    public boolean adaptive() {
      return true;
    }
  }

  /** Input: a window served by 6 workers (two TaskManagers' pools). Output: the policy was told 6. */
  @Test
  void theWorkerCountOfTheWindowReachesThePolicy() throws Exception {
    open(new EchoWorkersPolicy());

    harness.processElement1(new StreamRecord<>(MetricsSnapshot.newBuilder(window(1_000, 40.0, 64)).setWorkers(6).build()));

    assertThat(harness.extractOutputValues()).extracting(ControlDecision::getBatchSize).containsExactly(6);
  }
}

package io.deeprec.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.deeprec.sched.FixedBatchPolicy;
import io.deeprec.sched.SplitRule;
import io.deeprec.schema.CandidateFeatures;
import io.deeprec.schema.RecQuery;
import io.deeprec.schema.internal.InferenceRequest;
import io.deeprec.schema.internal.QuerySlice;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import io.deeprec.schema.ControlDecision;
import io.deeprec.schema.internal.ControlRecord;
import io.deeprec.schema.ModelRollout;
import io.deeprec.schema.DecisionSource;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MicroBatcherTest {

  private KeyedBroadcastOperatorTestHarness<String, RecQuery, ControlRecord, InferenceRequest> harness;

  private void open(int batchSize, long maxDelayMs) throws Exception {
    open(batchSize, maxDelayMs, SplitRule.FULL_FIRST);
  }

  private void open(int batchSize, long maxDelayMs, SplitRule split) throws Exception {
    MicroBatcher batcher = new MicroBatcher(Map.of("rmc1", new FixedBatchPolicy(batchSize, maxDelayMs)), split);
    harness = ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
        batcher, q -> MicroBatcher.key(q, 1), Types.STRING, MicroBatcher.CONTROL_STATE, MicroBatcher.ROLLOUT_STATE);
    harness.setProcessingTime(1_000);
  }

  /** Keyed state entries left (pending slices, counters, timers), all keys. */
  private int keyedStateEntries() {
    return ((HeapKeyedStateBackend<?>) harness.getOperator().getKeyedStateBackend()).numKeyValueStateEntries();
  }

  static ControlDecision decision(int batchSize, int threshold, DecisionSource source, boolean pinned) {
    return ControlDecision.newBuilder().setModel("rmc1").setBatchSize(batchSize).setMaxQueueDelayMs(0)
        .setOffloadThreshold(threshold).setPolicy(source == DecisionSource.MANUAL ? "manual" : "deeprecsched")
        .setSource(source).setPinned(pinned).setTimestampMs(1).build();
  }

  static ControlRecord control(ControlDecision decision) {
    return ControlRecord.newBuilder().setDecision(decision).build();
  }

  @AfterEach
  void close() throws Exception {
    if (harness != null) {
      harness.close();
    }
  }

  static RecQuery query(String id, int items) {
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < items; i++) {
      ids.add(1000L + i);
    }
    return RecQuery.newBuilder().setQueryId(id).setModel("rmc1").setUserId(7).setCandidateIds(ids)
        .setArrivalTimeMs(900).setTopK(5).build();
  }

  private List<InferenceRequest> requests() {
    return harness.extractOutputValues();
  }

  private static List<Integer> sizes(List<InferenceRequest> requests) {
    return requests.stream()
        .map(r -> r.getSlices().stream().mapToInt(s -> s.getCandidateIds().size()).sum())
        .collect(Collectors.toList());
  }

  /** Input: one query of 150 items, batch 64, no delay. Output: 3 requests (64, 64, 22) at once; no state left. */
  @Test
  void sizeTriggerSplitsAQueryAndReleasesEveryPartAtOnce() throws Exception {
    open(64, 0);

    harness.processElement(new StreamRecord<>(query("q1", 150)));

    assertThat(sizes(requests())).containsExactly(64, 64, 22);
    assertThat(requests()).allSatisfy(r -> assertThat(r.getCreatedTimeMs()).isEqualTo(1_000));
    List<Integer> offsets = requests().stream().map(r -> r.getSlices().get(0).getOffset()).collect(Collectors.toList());
    assertThat(offsets).containsExactly(0, 64, 128);
    assertThat(requests().get(1).getSlices().get(0).getCandidateIds().get(0)).isEqualTo(1064L);
    assertThat(keyedStateEntries()).isZero();
    assertThat(harness.numProcessingTimeTimers()).isZero();
  }

  /** Input: one query of 150 items, batch 64, balanced split. Output: 3 requests of 50 at once, in query order. */
  @Test
  void balancedSplitCutsAQueryIntoEqualRequests() throws Exception {
    open(64, 0, SplitRule.BALANCED);

    harness.processElement(new StreamRecord<>(query("q1", 150)));

    assertThat(sizes(requests())).containsExactly(50, 50, 50);
    assertThat(requests().stream().map(r -> r.getSlices().get(0).getOffset())).containsExactly(0, 50, 100);
    assertThat(requests().get(2).getSlices().get(0).getCandidateIds().get(0)).isEqualTo(1100L);
    assertThat(keyedStateEntries()).isZero();
  }

  /** Input: queries of 10 and 20 items, batch 64, delay 5 ms. Output: nothing until the timer, then one merged request. */
  @Test
  void timerTriggerReleasesAPartialRequestAfterTheQueueDelay() throws Exception {
    open(64, 5);

    harness.processElement(new StreamRecord<>(query("q1", 10)));
    harness.setProcessingTime(1_003);
    harness.processElement(new StreamRecord<>(query("q2", 20)));
    assertThat(requests()).isEmpty();
    assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);

    harness.setProcessingTime(1_005);

    assertThat(requests()).hasSize(1);
    List<QuerySlice> slices = requests().get(0).getSlices();
    assertThat(slices).extracting(QuerySlice::getQueryId).containsExactly("q1", "q2");
    assertThat(sizes(requests())).containsExactly(30);
    assertThat(requests().get(0).getCreatedTimeMs()).isEqualTo(1_005);
    assertThat(keyedStateEntries()).isZero();
    assertThat(harness.numProcessingTimeTimers()).isZero();
  }

  /** Input: 40 items waiting, then a query of 100. Output: a full request (40 + 24), one of 64; 12 items wait. */
  @Test
  void mergingFillsTheOpenRequestAndKeepsTheTailForTheTimer() throws Exception {
    open(64, 5);

    harness.processElement(new StreamRecord<>(query("q1", 40)));
    harness.processElement(new StreamRecord<>(query("q2", 100)));

    assertThat(sizes(requests())).containsExactly(64, 64);
    assertThat(requests().get(0).getSlices()).extracting(QuerySlice::getQueryId).containsExactly("q1", "q2");
    assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);

    harness.setProcessingTime(1_005);
    assertThat(sizes(requests())).containsExactly(64, 64, 12);
    assertThat(requests().get(2).getSlices().get(0).getOffset()).isEqualTo(88);
    assertThat(keyedStateEntries()).isZero();
  }

  static ControlRecord rollout(String version, long activateAtMs) {
    return ControlRecord.newBuilder().setRollout(ModelRollout.newBuilder().setModel("rmc1").setDir("/models/v" + version)
        .setVersion(version).setActivateAtMs(activateAtMs).setTimestampMs(1).build()).build();
  }

  private static String version(InferenceRequest request) {
    return request.getRollout() == null ? "started" : request.getRollout().getVersion();
  }

  /**
   * Input: a rollout due at 2,000 ms, queries before and after. Output: before, requests are scored
   * by the started model and announce the next version; from 2,000 ms on, they are scored by it.
   */
  @Test
  void aRolloutIsAnnouncedUntilItsActivationThenScoresEveryNewQuery() throws Exception {
    open(64, 0);
    harness.processBroadcastElement(new StreamRecord<>(rollout("2", 2_000)));

    harness.processElement(new StreamRecord<>(query("before", 100)));
    harness.setProcessingTime(2_000);
    harness.processElement(new StreamRecord<>(query("after", 100)));

    assertThat(requests()).hasSize(4);
    assertThat(requests().subList(0, 2)).allSatisfy(r -> {
      assertThat(version(r)).isEqualTo("started");
      assertThat(r.getNextRollout().getVersion()).isEqualTo("2");
    });
    assertThat(requests().subList(2, 4)).allSatisfy(r -> {
      assertThat(version(r)).isEqualTo("2");
      assertThat(r.getNextRollout()).isNull();
    });
  }

  /**
   * Input: 40 items of q1 waiting to merge when version 2 becomes due, then q2. Output: q1's request
   * is released on the started model before q2 is batched on version 2; no request mixes versions.
   */
  @Test
  void aVersionSwitchReleasesTheOpenRequestSoNoRequestMixesVersions() throws Exception {
    open(64, 5);
    harness.processBroadcastElement(new StreamRecord<>(rollout("2", 1_002)));
    harness.processElement(new StreamRecord<>(query("q1", 40)));
    assertThat(requests()).isEmpty();

    harness.setProcessingTime(1_002);
    harness.processElement(new StreamRecord<>(query("q2", 30)));

    assertThat(requests()).hasSize(1);
    assertThat(requests().get(0).getSlices()).extracting(QuerySlice::getQueryId).containsExactly("q1");
    assertThat(version(requests().get(0))).isEqualTo("started");
    harness.setProcessingTime(1_010);
    assertThat(requests()).hasSize(2);
    assertThat(requests().get(1).getSlices()).extracting(QuerySlice::getQueryId).containsExactly("q2");
    assertThat(version(requests().get(1))).isEqualTo("2");
  }

  /** A rollback is a rollout too: after versions 2 then 3, a rollout back to 2 scores new queries with 2. */
  @Test
  void aRollbackIsARolloutOfTheOlderVersion() throws Exception {
    open(64, 0);
    harness.processBroadcastElement(new StreamRecord<>(rollout("2", 0)));
    harness.processBroadcastElement(new StreamRecord<>(rollout("3", 0)));
    harness.processElement(new StreamRecord<>(query("on3", 10)));
    harness.processBroadcastElement(new StreamRecord<>(rollout("2", 0)));
    harness.processElement(new StreamRecord<>(query("back-on-2", 10)));

    assertThat(requests()).extracting(MicroBatcherTest::version).containsExactly("3", "2");
  }

  /** Explicit features travel with their slice: rows 2..3 of a 4-item query land in the second request. */
  @Test
  void explicitFeaturesAreSlicedWithTheirCandidates() throws Exception {
    open(2, 0);
    RecQuery query = RecQuery.newBuilder(query("q1", 4))
        .setFeatures(CandidateFeatures.newBuilder()
            .setDense(List.of(0f, 0.5f, 1f, 1.5f, 2f, 2.5f, 3f, 3.5f))
            .setSparse(List.of(0, 1, 2, 3))
            .build())
        .build();

    harness.processElement(new StreamRecord<>(query));

    QuerySlice second = requests().get(1).getSlices().get(0);
    assertThat(second.getDense()).containsExactly(2f, 2.5f, 3f, 3.5f);
    assertThat(second.getSparse()).containsExactly(2, 3);
  }

  /** Input: a controller decision of batch 32, then a 100-item query. Output: requests of 32, 32, 32, 4. */
  @Test
  void broadcastDecisionChangesTheActiveBatchSize() throws Exception {
    open(64, 0);

    harness.processBroadcastElement(new StreamRecord<>(control(decision(32, 0, DecisionSource.CONTROLLER, false))));
    harness.processElement(new StreamRecord<>(query("q1", 100)));

    assertThat(sizes(requests())).containsExactly(32, 32, 32, 4);
  }

  /** A manual pin wins over later controller decisions until a manual release. */
  @Test
  void manualPinHoldsUntilReleased() throws Exception {
    open(64, 0);

    harness.processBroadcastElement(new StreamRecord<>(control(decision(50, 0, DecisionSource.MANUAL, true))));
    harness.processBroadcastElement(new StreamRecord<>(control(decision(10, 0, DecisionSource.CONTROLLER, false))));
    harness.processElement(new StreamRecord<>(query("q1", 100)));
    assertThat(sizes(requests())).containsExactly(50, 50);

    harness.processBroadcastElement(new StreamRecord<>(control(decision(50, 0, DecisionSource.MANUAL, false))));
    harness.processElement(new StreamRecord<>(query("q2", 100)));
    assertThat(sizes(requests())).containsExactly(50, 50, 64, 36);
  }

  /** An invalid decision (batch 0) is ignored; the job keeps the previous settings. */
  @Test
  void invalidDecisionIsIgnored() throws Exception {
    open(64, 0);

    harness.processBroadcastElement(new StreamRecord<>(control(decision(0, 0, DecisionSource.MANUAL, true))));
    harness.processElement(new StreamRecord<>(query("q1", 100)));

    assertThat(sizes(requests())).containsExactly(64, 36);
  }

  /** Input: threshold 128, queries of 200 and 100 items. Output: the 200 goes whole to the accelerator side output. */
  @Test
  void queriesAtOrAboveTheThresholdAreOffloadedWhole() throws Exception {
    open(64, 0);
    harness.processBroadcastElement(new StreamRecord<>(control(decision(64, 128, DecisionSource.CONTROLLER, false))));

    harness.processElement(new StreamRecord<>(query("big", 200)));
    harness.processElement(new StreamRecord<>(query("small", 100)));

    List<InferenceRequest> offloaded = new ArrayList<>();
    harness.getSideOutput(MicroBatcher.ACCELERATOR).forEach(r -> offloaded.add(r.getValue()));
    assertThat(offloaded).hasSize(1);
    assertThat(offloaded.get(0).getSlices()).singleElement()
        .satisfies(slice -> assertThat(slice.getCandidateIds()).hasSize(200));
    assertThat(sizes(requests())).containsExactly(64, 36);
    assertThat(requests()).allSatisfy(r -> assertThat(r.getSlices().get(0).getQueryId()).isEqualTo("small"));
  }

  @Test
  void keysSpreadOneModelOverShards() {
    assertThat(MicroBatcher.key(query("a", 1), 4)).startsWith("rmc1#");
    long distinct = java.util.stream.IntStream.range(0, 100)
        .mapToObj(i -> MicroBatcher.key(query("q" + i, 1), 4)).distinct().count();
    assertThat(distinct).isEqualTo(4);
  }
}

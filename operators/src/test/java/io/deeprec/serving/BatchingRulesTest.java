package io.deeprec.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.deeprec.sched.BatchSettings;
import io.deeprec.sched.QuerySplitter.Piece;
import io.deeprec.sched.SplitRule;
import org.junit.jupiter.api.Test;

class BatchingRulesTest {
  private static final BatchSettings MERGE_64 = new BatchSettings(64, 5, 0);

  /** Input: 100 items, nothing open, batch 64 with merging. Output: a full piece of 64 and an open tail of 36. */
  @Test
  void aQueryIsCutIntoFullRequestsAndAnOpenTail() {
    BatchingRules.Admission admission = BatchingRules.admit(100, 0, null, MERGE_64, SplitRule.FULL_FIRST);

    assertThat(admission.offload()).isFalse();
    assertThat(admission.releaseOpenFirst()).isFalse();
    assertThat(admission.pieces()).containsExactly(new Piece(0, 64, true), new Piece(64, 36, false));
  }

  /** Input: 40 items with 36 open under the same settings. Output: 28 fill the open request, 12 stay open. */
  @Test
  void aQueryFillsTheOpenRequestFirst() {
    BatchingRules.Admission admission = BatchingRules.admit(40, 36, MERGE_64, MERGE_64, SplitRule.FULL_FIRST);

    assertThat(admission.releaseOpenFirst()).isFalse();
    assertThat(admission.pieces()).containsExactly(new Piece(0, 28, true), new Piece(28, 12, false));
  }

  /**
   * Input: 10 items open under batch 64, now batch 128 (a larger size, which the old rule let the
   * open request grow into). Output: the open request is released first: a request never mixes settings.
   */
  @Test
  void aSettingsChangeReleasesTheOpenRequestFirst() {
    BatchSettings larger = new BatchSettings(128, 5, 0);

    BatchingRules.Admission admission = BatchingRules.admit(10, 10, MERGE_64, larger, SplitRule.FULL_FIRST);

    assertThat(admission.releaseOpenFirst()).isTrue();
    assertThat(admission.pieces()).containsExactly(new Piece(0, 10, false));
  }

  /** Input: a query at the offload threshold, items open. Output: offloaded whole; the open request stays open. */
  @Test
  void aQueryAtTheThresholdIsOffloadedWhole() {
    BatchSettings offloading = new BatchSettings(64, 5, 200);

    BatchingRules.Admission admission = BatchingRules.admit(200, 10, offloading, offloading, SplitRule.FULL_FIRST);

    assertThat(admission.offload()).isTrue();
    assertThat(admission.releaseOpenFirst()).isFalse();
    assertThat(admission.pieces()).isEmpty();
  }

  /** Without merging every piece closes its request. */
  @Test
  void withoutMergingEveryPieceIsARequest() {
    BatchingRules.Admission admission = BatchingRules.admit(100, 0, null, new BatchSettings(40, 0, 0), SplitRule.FULL_FIRST);

    assertThat(admission.pieces()).extracting(Piece::closesRequest).containsExactly(true, true, true);
    assertThat(BatchingRules.releaseDueMs(1_000, MERGE_64)).isEqualTo(1_005.0);
  }
}

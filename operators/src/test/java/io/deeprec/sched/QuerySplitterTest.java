package io.deeprec.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deeprec.sched.QuerySplitter.Piece;
import java.util.List;
import org.junit.jupiter.api.Test;

class QuerySplitterTest {

  private static final BatchSettings NO_MERGE_64 = new BatchSettings(64, 0, 0);
  private static final BatchSettings MERGE_64 = new BatchSettings(64, 5, 0);

  /** 150 items at batch 64 without merging: ceil(150/64) = 3 requests of 64, 64, 22, each released. */
  @Test
  void splitsAQueryIntoCeilNOverBRequests() {
    List<Piece> pieces = QuerySplitter.plan(150, 0, NO_MERGE_64, SplitRule.FULL_FIRST);

    assertThat(pieces).containsExactly(new Piece(0, 64, true), new Piece(64, 64, true), new Piece(128, 22, true));
    assertThat(QuerySplitter.requestCount(150, 64)).isEqualTo(3);
  }

  @Test
  void aQuerySmallerThanTheBatchIsOneRequest() {
    assertThat(QuerySplitter.plan(10, 0, NO_MERGE_64, SplitRule.FULL_FIRST)).containsExactly(new Piece(0, 10, true));
    assertThat(QuerySplitter.plan(1024, 0, new BatchSettings(1024, 0, 0), SplitRule.FULL_FIRST)).containsExactly(new Piece(0, 1024, true));
  }

  /** With merging, the first piece tops up the open request (40 waiting + 24), the tail stays open. */
  @Test
  void mergingFillsTheOpenRequestFirstAndKeepsTheTailOpen() {
    List<Piece> pieces = QuerySplitter.plan(100, 40, MERGE_64, SplitRule.FULL_FIRST);

    assertThat(pieces).containsExactly(new Piece(0, 24, true), new Piece(24, 64, true), new Piece(88, 12, false));
  }

  @Test
  void mergingAQueryThatExactlyFillsTheRequestClosesIt() {
    assertThat(QuerySplitter.plan(24, 40, MERGE_64, SplitRule.FULL_FIRST)).containsExactly(new Piece(0, 24, true));
    assertThat(QuerySplitter.plan(10, 40, MERGE_64, SplitRule.FULL_FIRST)).containsExactly(new Piece(0, 10, false));
  }

  @Test
  void piecesCoverTheQueryExactlyOnce() {
    for (int n = 1; n <= 300; n += 7) {
      for (int waiting : new int[] {0, 1, 33, 63}) {
        List<Piece> pieces = QuerySplitter.plan(n, waiting, MERGE_64, SplitRule.FULL_FIRST);
        int next = 0;
        for (Piece piece : pieces) {
          assertThat(piece.offset()).isEqualTo(next);
          assertThat(piece.length()).isBetween(1, 64);
          next += piece.length();
        }
        assertThat(next).isEqualTo(n);
      }
    }
  }

  /** 167 items at 128: the same two requests as full-first, 84 + 83 instead of 128 + 39. */
  @Test
  void balancedSplitGivesTheSameRequestCountInEqualParts() {
    assertThat(QuerySplitter.plan(167, 0, new BatchSettings(128, 0, 0), SplitRule.BALANCED))
        .containsExactly(new Piece(0, 84, true), new Piece(84, 83, true));
    assertThat(QuerySplitter.plan(150, 0, NO_MERGE_64, SplitRule.BALANCED))
        .containsExactly(new Piece(0, 50, true), new Piece(50, 50, true), new Piece(100, 50, true));
    assertThat(QuerySplitter.plan(10, 0, NO_MERGE_64, SplitRule.BALANCED)).containsExactly(new Piece(0, 10, true));
  }

  @Test
  void balancedPiecesCoverTheQueryInCeilNOverBPartsWithinOneItemOfEachOther() {
    for (int batch : new int[] {1, 7, 64, 128, 1024}) {
      for (int n = 1; n <= 1024; n += 13) {
        List<Piece> pieces = QuerySplitter.plan(n, 0, new BatchSettings(batch, 0, 0), SplitRule.BALANCED);
        assertThat(pieces).hasSize(QuerySplitter.requestCount(n, batch));
        int next = 0;
        for (Piece piece : pieces) {
          assertThat(piece.offset()).isEqualTo(next);
          assertThat(piece.length()).isBetween(1, batch);
          assertThat(piece.closesRequest()).isTrue();
          next += piece.length();
        }
        assertThat(next).isEqualTo(n);
        assertThat(pieces.stream().mapToInt(Piece::length).max().getAsInt()
            - pieces.stream().mapToInt(Piece::length).min().getAsInt()).isLessThanOrEqualTo(1);
      }
    }
  }

  /** Merging fills the open request whatever the rule: the rule cuts only requests that are not merged. */
  @Test
  void mergingIgnoresTheSplitRule() {
    assertThat(QuerySplitter.plan(100, 40, MERGE_64, SplitRule.BALANCED))
        .isEqualTo(QuerySplitter.plan(100, 40, MERGE_64, SplitRule.FULL_FIRST));
  }

  @Test
  void splitRulesAreNamedAsConfigured() {
    assertThat(SplitRule.FULL_FIRST).hasToString("full-first");
    assertThat(SplitRule.BALANCED).hasToString("balanced");
  }

  @Test
  void warmsUpPowersOfTwoUpToTheBatchSize() {
    assertThat(new BatchSettings(64, 0, 0).warmupBatchSizes()).containsExactly(1, 2, 4, 8, 16, 32, 64);
    assertThat(new BatchSettings(100, 0, 0).warmupBatchSizes()).containsExactly(1, 2, 4, 8, 16, 32, 64, 100);
    assertThat(new BatchSettings(1, 0, 0).warmupBatchSizes()).containsExactly(1);
  }

  @Test
  void rejectsImpossibleInputs() {
    assertThatThrownBy(() -> QuerySplitter.plan(0, 0, NO_MERGE_64, SplitRule.FULL_FIRST)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> QuerySplitter.plan(5, 64, MERGE_64, SplitRule.FULL_FIRST)).hasMessageContaining("pending items");
    assertThatThrownBy(() -> new BatchSettings(0, 0, 0)).hasMessageContaining("batch size");
    assertThatThrownBy(() -> new BatchSettings(2048, 0, 0)).hasMessageContaining("batch size");
  }
}

package io.deeprec.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.deeprec.schema.ScoredItem;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TopKTest {

  @Test
  void selectsTheHighestScoresHighestFirst() {
    List<Long> ids = List.of(10L, 11L, 12L, 13L, 14L);
    float[] scores = {0.0f, 0.1f, 0.9f, 0.5f, 0.7f, 0.3f};

    // scoreOffset 1: item 10 has score 0.1, 11 -> 0.9, 12 -> 0.5, 13 -> 0.7, 14 -> 0.3
    List<ScoredItem> top = TopK.select(ids, scores, 1, 3);

    assertThat(top).extracting(ScoredItem::getItemId).containsExactly(11L, 13L, 12L);
    assertThat(top).extracting(ScoredItem::getScore).containsExactly(0.9f, 0.7f, 0.5f);
  }

  @Test
  void kLargerThanTheCandidatesReturnsAllSorted() {
    List<ScoredItem> top = TopK.select(List.of(1L, 2L), new float[] {0.2f, 0.8f}, 0, 10);

    assertThat(top).extracting(ScoredItem::getItemId).containsExactly(2L, 1L);
  }

  /** The top k of a union equals the merge of the parts' top k (what reassembly relies on). */
  @Test
  void mergingPartsEqualsSelectingFromTheWhole() {
    Random random = new Random(3);
    List<Long> ids = new ArrayList<>();
    float[] scores = new float[300];
    for (int i = 0; i < 300; i++) {
      ids.add((long) i);
      scores[i] = random.nextFloat();
    }
    List<ScoredItem> whole = TopK.select(ids, scores, 0, 10);

    List<ScoredItem> merged = List.of();
    for (int from = 0; from < 300; from += 64) {
      int to = Math.min(300, from + 64);
      merged = TopK.merge(merged, TopK.select(ids.subList(from, to), scores, from, 10), 10);
    }

    assertThat(merged).isEqualTo(whole);
  }
}

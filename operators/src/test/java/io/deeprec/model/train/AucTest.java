package io.deeprec.model.train;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AucTest {
  /** Expected: perfect ranking 1, reversed 0, all tied 0.5, one misordered pair of four 0.75. */
  @Test
  void shouldRankPairs() {
    boolean[] labels = {false, false, true, true};
    assertThat(Auc.of(new float[] {0.1f, 0.2f, 0.8f, 0.9f}, labels)).isEqualTo(1.0);
    assertThat(Auc.of(new float[] {0.9f, 0.8f, 0.2f, 0.1f}, labels)).isEqualTo(0.0);
    assertThat(Auc.of(new float[] {0.5f, 0.5f, 0.5f, 0.5f}, labels)).isEqualTo(0.5);
    assertThat(Auc.of(new float[] {0.1f, 0.85f, 0.8f, 0.9f}, labels)).isEqualTo(0.75);
    assertThat(Auc.of(new float[] {0.1f, 0.2f}, new boolean[] {true, true})).isNaN();
  }
}

package io.deeprec.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The reference shapes of DESIGN.md's model table, table scaling and latency targets. */
class ModelCatalogTest {

  /** Expected: the interaction widths DESIGN.md states (288, 2112, 352, 1376, 1888, 128, 160). */
  @Test
  void shouldMatchTheReferenceShapes() {
    ModelSpec rmc1 = ModelCatalog.spec(ModelId.RMC1);
    assertThat(rmc1.tables()).hasSize(8).allSatisfy(t -> {
      assertThat(t.rows()).isEqualTo(4_000_000);
      assertThat(t.lookups()).isEqualTo(80);
    });
    assertThat(rmc1.sparseIdsPerItem()).isEqualTo(640);
    assertThat(32 + rmc1.tables().size() * rmc1.embeddingDim()).isEqualTo(288);
    ModelSpec rmc2 = ModelCatalog.spec(ModelId.RMC2);
    assertThat(64 + rmc2.tables().size() * rmc2.embeddingDim()).isEqualTo(2112);
    assertThat(rmc2.sparseIdsPerItem()).isEqualTo(32 * 120);
    ModelSpec rmc3 = ModelCatalog.spec(ModelId.RMC3);
    assertThat(rmc3.denseDim()).isEqualTo(2560);
    assertThat(rmc3.bottomMlp()).containsExactly(1024, 256, 32);
    assertThat(32 + rmc3.tables().size() * rmc3.embeddingDim()).isEqualTo(352);
    ModelSpec wnd = ModelCatalog.spec(ModelId.WND);
    assertThat(wnd.denseDim() + wnd.tables().size() * wnd.embeddingDim()).isEqualTo(1376);
    ModelSpec mtwnd = ModelCatalog.spec(ModelId.MTWND);
    assertThat(mtwnd.denseDim() + mtwnd.tables().size() * mtwnd.embeddingDim()).isEqualTo(1888);
    assertThat(mtwnd.taskHeads()).isEqualTo(1);
    ModelSpec ncf = ModelCatalog.spec(ModelId.NCF);
    assertThat(ncf.tables()).extracting(TableSpec::rows).containsExactly(140_000, 140_000, 28_000, 28_000);
    assertThat(ncf.denseDim()).isZero();
    ModelSpec din = ModelCatalog.spec(ModelId.DIN);
    assertThat(din.tables().size() * din.embeddingDim()).isEqualTo(128);
    ModelSpec dien = ModelCatalog.spec(ModelId.DIEN);
    assertThat(dien.tables().stream().filter(t -> t.pooling() == TableSpec.Pooling.SEQUENCE)).hasSize(40);
    assertThat(3 * dien.embeddingDim() + dien.rnnHidden()).isEqualTo(160);
    assertThat(ModelCatalog.spec(ModelId.RMC1).embeddingBytes()).isEqualTo(8L * 4_000_000 * 32 * 4);
  }

  /** Input: scale 0.001. Expected: rows shrink (at least 1), every other shape stays. */
  @Test
  void shouldScaleRowsOnly() {
    ModelSpec full = ModelCatalog.spec(ModelId.DIEN);
    ModelSpec small = full.withTableScale(0.001);
    assertThat(small.tables()).extracting(TableSpec::rows).contains(500, 5000);
    assertThat(small.sparseIdsPerItem()).isEqualTo(full.sparseIdsPerItem());
    assertThat(small.topMlp()).isEqualTo(full.topMlp());
    assertThat(small.tableScale()).isEqualTo(0.001);
    assertThat(full.withTableScale(1e-9).tables()).allSatisfy(t -> assertThat(t.rows()).isEqualTo(1));
    assertThat(small).isEqualTo(ModelCatalog.spec(ModelId.DIEN).withTableScale(0.001));
    assertThatThrownBy(() -> full.withTableScale(0)).isInstanceOf(IllegalArgumentException.class);
  }

  /** Expected: DESIGN.md's targets at MEDIUM, half at LOW, one and a half at HIGH. */
  @Test
  void shouldGiveTieredLatencyTargets() {
    assertThat(ModelCatalog.spec(ModelId.NCF).p95TargetMs(LatencyTier.MEDIUM)).isEqualTo(5);
    assertThat(ModelCatalog.spec(ModelId.WND).p95TargetMs(LatencyTier.MEDIUM)).isEqualTo(25);
    assertThat(ModelCatalog.spec(ModelId.MTWND).p95TargetMs(LatencyTier.MEDIUM)).isEqualTo(25);
    assertThat(ModelCatalog.spec(ModelId.RMC1).p95TargetMs(LatencyTier.MEDIUM)).isEqualTo(100);
    assertThat(ModelCatalog.spec(ModelId.RMC2).p95TargetMs(LatencyTier.MEDIUM)).isEqualTo(400);
    assertThat(ModelCatalog.spec(ModelId.RMC3).p95TargetMs(LatencyTier.MEDIUM)).isEqualTo(100);
    assertThat(ModelCatalog.spec(ModelId.DIN).p95TargetMs(LatencyTier.MEDIUM)).isEqualTo(100);
    assertThat(ModelCatalog.spec(ModelId.DIEN).p95TargetMs(LatencyTier.MEDIUM)).isEqualTo(35);
    assertThat(ModelCatalog.spec(ModelId.RMC1).p95TargetMs(LatencyTier.LOW)).isEqualTo(50);
    assertThat(ModelCatalog.spec(ModelId.RMC1).p95TargetMs(LatencyTier.HIGH)).isEqualTo(150);
  }

  /** Input: a dot interaction whose bottom MLP does not end in the embedding width. Expected: rejected. */
  @Test
  void shouldRejectInconsistentVariants() {
    assertThatThrownBy(() -> ModelCatalog.rmc1().toBuilder().bottomMlp(64, 16)
        .interaction(ModelSpec.Interaction.DOT).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dot interaction");
    assertThatThrownBy(() -> ModelCatalog.din(0)).isInstanceOf(IllegalArgumentException.class);
  }
}

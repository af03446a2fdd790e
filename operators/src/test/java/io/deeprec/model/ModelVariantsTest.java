package io.deeprec.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Paper-faithful variants and configurable counts; clear errors for missing or mismatched model dirs. */
class ModelVariantsTest {
  @TempDir Path tmp;

  static Stream<ModelSpec> variants() {
    return Stream.of(
        ModelCatalog.rmc1().toBuilder().interaction(ModelSpec.Interaction.DOT).build().withTableScale(0.001),
        ModelCatalog.rmc2().toBuilder().interaction(ModelSpec.Interaction.DOT).build().withTableScale(0.001),
        ModelCatalog.ncf().toBuilder().ncfMf(ModelSpec.MfCombine.PRODUCT).build().withTableScale(0.02),
        ModelCatalog.dien().toBuilder().recurrentCell(ModelSpec.RecurrentCell.GRU).build().withTableScale(0.002),
        ModelCatalog.mtwnd(3).withTableScale(0.002),
        ModelCatalog.din(3).withTableScale(0.002));
  }

  /** Input: 12 candidates. Expected: 12 finite, distinct, reproducible scores; variant saved and reloaded as is. */
  @ParameterizedTest
  @MethodSource("variants")
  void shouldRunVariants(ModelSpec spec) {
    long[] items = IntStream.range(0, 12).mapToLong(i -> 50 + i).toArray();
    FeatureBatch batch = FeatureStore.lookup(spec, 3, items, UserSideIds.PER_ITEM);
    float[] scores;
    Path dir = tmp.resolve("variant");
    try (RecModel model = ModelFactory.create(spec, 5, "cpu"); ModelScorer scorer = model.newScorer()) {
      scores = scorer.score(batch);
      ModelFactory.save(model, dir);
    }
    assertThat(scores).hasSize(12);
    for (float s : scores) {
      assertThat(Float.isFinite(s)).isTrue();
    }
    assertThat(IntStream.range(0, 12).mapToObj(i -> scores[i]).distinct().count()).isGreaterThan(6);
    try (RecModel model = ModelFactory.load(dir, "cpu"); ModelScorer scorer = model.newScorer()) {
      assertThat(model.spec()).isEqualTo(spec);
      assertThat(scorer.score(batch)).containsExactly(scores);
    }
  }

  /** Input: an empty dir, an RMC1 dir asked as RMC2 or at another scale. Expected: errors that say so. */
  @Test
  void shouldExplainMissingOrMismatchedModelDirs() throws Exception {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    assertThatThrownBy(() -> ModelFactory.create(new ModelKey(ModelId.RMC1, 0.001, 0, empty.toString())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no saved model in " + empty);
    Path missing = tmp.resolve("missing");
    assertThatThrownBy(() -> ModelFactory.create(new ModelKey(ModelId.RMC1, 0.001, 0, missing.toString())))
        .hasMessageContaining("no saved model in " + missing);

    Path rmc1 = tmp.resolve("rmc1");
    try (RecModel model = ModelFactory.create(ModelKey.random(ModelId.RMC1, 0.001, 1))) {
      ModelFactory.save(model, rmc1);
    }
    assertThatThrownBy(() -> ModelFactory.create(new ModelKey(ModelId.RMC2, 0.001, 0, rmc1.toString())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("model dir " + rmc1 + " holds rmc1 parameters, asked for rmc2");
    assertThatThrownBy(() -> ModelFactory.create(new ModelKey(ModelId.RMC1, 0.002, 0, rmc1.toString())))
        .hasMessageContaining("holds rmc1 at table scale 0.001, asked for table scale 0.002");

    Files.write(rmc1.resolve(ModelFactory.PARAMETERS_FILE), new byte[] {1, 2, 3});
    assertThatThrownBy(() -> ModelFactory.create(new ModelKey(ModelId.RMC1, 0.001, 0, rmc1.toString())))
        .hasMessageContaining("model dir " + rmc1);
  }

  /** Expected: a GPU that is not there is a clear error, not a native crash. */
  @Test
  void shouldRejectUnknownDevices() {
    assertThatThrownBy(() -> ModelFactory.parseDevice("tpu")).hasMessageContaining("expected cpu, gpu or gpu:N");
    assertThatThrownBy(() -> ModelFactory.parseDevice("gpu:99")).hasMessageContaining("not available");
  }
}

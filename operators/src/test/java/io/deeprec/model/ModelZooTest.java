package io.deeprec.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every model at a small table scale: shapes, determinism, candidate sensitivity, save and load. */
class ModelZooTest {
  private static final int ITEMS = 16;
  private static final long USER = 42;

  @TempDir Path tmp;

  /** Small enough to be quick, large enough that 16 candidates rarely share an item-side row. */
  static double scale(ModelId id) {
    return switch (id) {
      case NCF -> 0.02;
      case DIN -> 0.001;
      default -> 0.002;
    };
  }

  static ModelKey key(ModelId id, long seed) {
    return ModelKey.random(id, scale(id), seed);
  }

  static FeatureBatch candidates(ModelSpec spec) {
    long[] items = IntStream.range(0, ITEMS).mapToLong(i -> 1000 + 7L * i).toArray();
    return FeatureStore.lookup(spec, USER, items, UserSideIds.PER_ITEM);
  }

  /** Input: one user's 16 candidates. Expected: 16 finite scores in [0, 1], the same from two builds. */
  @ParameterizedTest
  @EnumSource(ModelId.class)
  void shouldScoreEveryCandidateDeterministically(ModelId id) {
    float[] first;
    float[] second;
    try (RecModel model = ModelFactory.create(key(id, 7)); ModelScorer scorer = model.newScorer()) {
      first = scorer.score(candidates(model.spec()));
    }
    try (RecModel model = ModelFactory.create(key(id, 7)); ModelScorer scorer = model.newScorer()) {
      second = scorer.score(candidates(model.spec()));
    }
    assertThat(first).hasSize(ITEMS);
    for (float s : first) {
      assertThat(Float.isFinite(s)).isTrue();
      assertThat(s).isBetween(0f, 1f);
    }
    assertThat(second).containsExactly(first);
  }

  /**
   * Input: the same weights and candidates, embeddings gathered per table and fused, and a batch
   * larger than one bag chunk for the DLRMs. Expected: the same scores within float rounding.
   */
  @ParameterizedTest
  @EnumSource(ModelId.class)
  void shouldScoreTheSameWithPerTableAndFusedLookups(ModelId id) {
    float[] perTable;
    float[] fused;
    FeatureBatch batch;
    try (RecModel model = ModelFactory.create(key(id, 7)); ModelScorer scorer = model.newScorer()) {
      assertThat(model.spec().embeddingLookup()).isEqualTo(EmbeddingLookup.PER_TABLE);
      batch = FeatureStore.randomBatch(model.spec(), 300, new SplittableRandom(11));
      perTable = scorer.score(batch);
    }
    try (RecModel model = ModelFactory.create(key(id, 7).withLookup(EmbeddingLookup.FUSED));
        ModelScorer scorer = model.newScorer()) {
      assertThat(model.spec().embeddingLookup()).isEqualTo(EmbeddingLookup.FUSED);
      fused = scorer.score(batch);
    }
    assertThat(fused).hasSize(300);
    for (int i = 0; i < fused.length; i++) {
      assertThat(fused[i]).as("candidate %d of %s", i, id).isCloseTo(perTable[i], within(1e-5f));
    }
  }

  /** Input: 16 different candidates; another seed. Expected: distinct scores; other weights, other scores. */
  @ParameterizedTest
  @EnumSource(ModelId.class)
  void shouldGiveDifferentCandidatesDifferentScores(ModelId id) {
    float[] scores;
    float[] otherSeed;
    try (RecModel model = ModelFactory.create(key(id, 7)); ModelScorer scorer = model.newScorer()) {
      scores = scorer.score(candidates(model.spec()));
    }
    try (RecModel model = ModelFactory.create(key(id, 8)); ModelScorer scorer = model.newScorer()) {
      otherSeed = scorer.score(candidates(model.spec()));
    }
    long distinct = IntStream.range(0, scores.length).mapToObj(i -> scores[i]).distinct().count();
    assertThat(distinct).as("distinct scores of %s among %s", id, Arrays.toString(scores)).isGreaterThan(ITEMS / 2);
    assertThat(otherSeed).isNotEqualTo(scores);
  }

  /** Input: a batch scored whole and item by item. Expected: the same scores (batching is transparent). */
  @ParameterizedTest
  @EnumSource(ModelId.class)
  void shouldScoreIndependentlyOfBatching(ModelId id) {
    try (RecModel model = ModelFactory.create(key(id, 7)); ModelScorer scorer = model.newScorer()) {
      FeatureBatch batch = candidates(model.spec());
      float[] whole = scorer.score(batch);
      ModelSpec spec = model.spec();
      for (int i = 0; i < ITEMS; i += 5) {
        FeatureBatch one = new FeatureBatch(1,
            Arrays.copyOfRange(batch.dense(), i * spec.denseDim(), (i + 1) * spec.denseDim()),
            Arrays.copyOfRange(batch.sparse(), i * spec.sparseIdsPerItem(), (i + 1) * spec.sparseIdsPerItem()));
        assertThat(scorer.score(one)[0]).isCloseTo(whole[i], org.assertj.core.data.Offset.offset(1e-5f));
      }
      assertThat(scorer.score(new FeatureBatch(0, new float[0], new int[0]))).isEmpty();
    }
  }

  /** Input: a model saved to a directory. Expected: the loaded model scores identically. */
  @ParameterizedTest
  @EnumSource(ModelId.class)
  void shouldLoadWhatWasSaved(ModelId id) {
    Path dir = tmp.resolve(id.cliName());
    float[] before;
    try (RecModel model = ModelFactory.create(key(id, 11)); ModelScorer scorer = model.newScorer()) {
      before = scorer.score(candidates(model.spec()));
      ModelFactory.save(model, dir);
    }
    try (RecModel model = ModelFactory.create(new ModelKey(id, scale(id), 0, dir.toString()));
        ModelScorer scorer = model.newScorer()) {
      assertThat(model.spec()).isEqualTo(ModelCatalog.spec(id).withTableScale(scale(id)));
      assertThat(scorer.score(candidates(model.spec()))).containsExactly(before);
    }
  }

  /** Input: an id outside its table. Expected: IllegalArgumentException naming table and id, JVM alive. */
  @ParameterizedTest
  @EnumSource(ModelId.class)
  void shouldRejectOutOfRangeIds(ModelId id) {
    try (RecModel model = ModelFactory.create(key(id, 7)); ModelScorer scorer = model.newScorer()) {
      ModelSpec spec = model.spec();
      FeatureBatch batch = candidates(spec);
      int last = spec.tables().size() - 1;
      TableSpec table = spec.tables().get(last);
      batch.sparse()[spec.sparseIdsPerItem() + spec.sparseOffset(last)] = table.rows();
      assertThatThrownBy(() -> scorer.score(batch))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("table " + table.name())
          .hasMessageContaining("sparse id " + table.rows());
      batch.sparse()[spec.sparseIdsPerItem() + spec.sparseOffset(last)] = -1;
      assertThatThrownBy(() -> scorer.score(batch)).hasMessageContaining("sparse id -1");
    }
  }
}

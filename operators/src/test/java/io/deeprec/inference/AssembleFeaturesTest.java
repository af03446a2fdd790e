package io.deeprec.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.deeprec.model.FeatureBatch;
import io.deeprec.model.FeatureStore;
import io.deeprec.model.ModelCatalog;
import io.deeprec.model.ModelSpec;
import io.deeprec.model.UserSideIds;
import io.deeprec.schema.internal.QuerySlice;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A request's batch: its slices' features, in order, each slice's rows where its candidates sit. */
class AssembleFeaturesTest {
  private final ModelSpec spec = ModelCatalog.rmc3().withTableScale(0.01);

  /**
   * Input: three slices of two users (2, 3 and 1 candidates), the middle one carrying its own
   * features. Expected: rows 0-1 and 5 are the store's features of their user and items, rows 2-4 the
   * carried ones.
   */
  @Test
  void shouldPlaceEachSlicesFeaturesAtItsRows() {
    int perItem = spec.sparseIdsPerItem();
    int denseDim = spec.denseDim();
    float[] carriedDense = new float[3 * denseDim];
    int[] carriedSparse = new int[3 * perItem];
    for (int i = 0; i < carriedSparse.length; i++) {
      carriedSparse[i] = i % 7;
    }
    Arrays.fill(carriedDense, 0.25f);
    List<QuerySlice> slices = List.of(slice("q1", 11, List.of(5L, 6L), null, null),
        slice("q2", 12, List.of(7L, 8L, 9L), carriedDense, carriedSparse), slice("q3", 13, List.of(10L), null, null));

    FeatureBatch batch = ScoringFunction.assemble(spec, slices, UserSideIds.PER_ITEM);

    assertThat(batch.items()).isEqualTo(6);
    FeatureBatch first = FeatureStore.lookup(spec, 11, new long[] {5, 6}, UserSideIds.PER_ITEM);
    FeatureBatch last = FeatureStore.lookup(spec, 13, new long[] {10}, UserSideIds.PER_ITEM);
    assertThat(Arrays.copyOfRange(batch.sparse(), 0, 2 * perItem)).containsExactly(first.sparse());
    assertThat(Arrays.copyOfRange(batch.dense(), 0, 2 * denseDim)).containsExactly(first.dense());
    assertThat(Arrays.copyOfRange(batch.sparse(), 2 * perItem, 5 * perItem)).containsExactly(carriedSparse);
    assertThat(Arrays.copyOfRange(batch.dense(), 2 * denseDim, 5 * denseDim)).containsExactly(carriedDense);
    assertThat(Arrays.copyOfRange(batch.sparse(), 5 * perItem, 6 * perItem)).containsExactly(last.sparse());
    assertThat(Arrays.copyOfRange(batch.dense(), 5 * denseDim, 6 * denseDim)).containsExactly(last.dense());
  }

  private static QuerySlice slice(String id, long user, List<Long> items, float[] dense, int[] sparse) {
    List<Float> d = new ArrayList<>();
    List<Integer> s = new ArrayList<>();
    if (dense != null) {
      for (float v : dense) {
        d.add(v);
      }
      for (int v : sparse) {
        s.add(v);
      }
    }
    return QuerySlice.newBuilder().setQueryId(id).setUserId(user).setArrivalTimeMs(0).setTopK(3)
        .setQueryItems(items.size()).setOffset(0).setCandidateIds(items).setDense(d).setSparse(s).build();
  }
}

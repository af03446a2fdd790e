package io.deeprec.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FeatureStoreTest {
  private final ModelSpec din = ModelCatalog.spec(ModelId.DIN).withTableScale(0.01);

  /** Input: the same user and items twice. Expected: identical features, of the model's shape. */
  @Test
  void shouldBeDeterministic() {
    FeatureBatch a = FeatureStore.lookup(ModelCatalog.rmc3(), 5, new long[] {1, 2, 3}, UserSideIds.PER_ITEM);
    FeatureBatch b = FeatureStore.lookup(ModelCatalog.rmc3(), 5, new long[] {1, 2, 3}, UserSideIds.PER_ITEM);
    a.checkShape(ModelCatalog.rmc3());
    assertThat(a.sparse()).containsExactly(b.sparse());
    assertThat(a.dense()).containsExactly(b.dense());
    for (float v : a.dense()) {
      assertThat(v).isGreaterThanOrEqualTo(0f).isLessThan(1f);
    }
  }

  /**
   * Input: two candidates of one user, and the same candidate for another user, user-side ids
   * shared. Expected: user-side tables (profile, behaviour sequence) equal across candidates,
   * item-side (ad) ids differ, ids in range.
   */
  @Test
  void shouldShareUserSideRowsAcrossCandidatesWhenShared() {
    FeatureBatch batch = FeatureStore.lookup(din, 9, new long[] {100, 200}, UserSideIds.SHARED);
    int per = din.sparseIdsPerItem();
    int[] first = Arrays.copyOfRange(batch.sparse(), 0, per);
    int[] second = Arrays.copyOfRange(batch.sparse(), per, 2 * per);
    for (int t = 0; t < din.tables().size(); t++) {
      TableSpec table = din.tables().get(t);
      int[] a = columns(first, t);
      int[] b = columns(second, t);
      if (table.side() == TableSpec.Side.USER) {
        assertThat(a).as(table.name()).containsExactly(b);
      } else {
        assertThat(a).as(table.name()).isNotEqualTo(b);
      }
      assertInRange(a, table);
    }
    FeatureBatch otherUser = FeatureStore.lookup(din, 10, new long[] {100}, UserSideIds.SHARED);
    assertThat(Arrays.copyOfRange(otherUser.sparse(), 0, per)).isNotEqualTo(first);
  }

  /**
   * Input: the same two candidates of one user, per-item ids (the reference's inputs). Expected:
   * every table, user-side ones too, differs between the candidates; the same user and item give
   * the same ids again; another user gives other user-side ids for the same item.
   */
  @Test
  void shouldDrawEveryTablePerItemByDefault() {
    FeatureBatch batch = FeatureStore.lookup(din, 9, new long[] {100, 200}, UserSideIds.PER_ITEM);
    FeatureBatch again = FeatureStore.lookup(din, 9, new long[] {100, 200}, UserSideIds.PER_ITEM);
    FeatureBatch otherUser = FeatureStore.lookup(din, 10, new long[] {100}, UserSideIds.PER_ITEM);
    assertThat(again.sparse()).containsExactly(batch.sparse());
    int per = din.sparseIdsPerItem();
    int[] first = Arrays.copyOfRange(batch.sparse(), 0, per);
    int[] second = Arrays.copyOfRange(batch.sparse(), per, 2 * per);
    int[] firstOtherUser = Arrays.copyOfRange(otherUser.sparse(), 0, per);
    for (int t = 0; t < din.tables().size(); t++) {
      TableSpec table = din.tables().get(t);
      assertThat(columns(first, t)).as(table.name()).isNotEqualTo(columns(second, t));
      if (table.side() == TableSpec.Side.USER) {
        assertThat(columns(first, t)).as(table.name()).isNotEqualTo(columns(firstOtherUser, t));
      }
      assertInRange(columns(first, t), table);
      assertInRange(columns(second, t), table);
    }
  }

  private int[] columns(int[] item, int table) {
    int off = din.sparseOffset(table);
    return Arrays.copyOfRange(item, off, off + din.tables().get(table).lookups());
  }

  private static void assertInRange(int[] ids, TableSpec table) {
    for (int id : ids) {
      assertThat(id).isBetween(0, table.rows() - 1);
    }
  }

  /** Expected: random batches are in range and reproducible from the seed. */
  @Test
  void shouldDrawRandomBatchesInRange() {
    FeatureBatch a = FeatureStore.randomBatch(din, 64, new SplittableRandom(3));
    FeatureBatch b = FeatureStore.randomBatch(din, 64, new SplittableRandom(3));
    a.checkShape(din);
    assertThat(a.sparse()).containsExactly(b.sparse());
    int per = din.sparseIdsPerItem();
    for (int i = 0; i < a.sparse().length; i++) {
      int col = i % per;
      int t = 0;
      while (din.sparseOffset(t + 1) <= col && t + 1 < din.tables().size()) {
        t++;
      }
      assertThat(a.sparse()[i]).isBetween(0, din.tables().get(t).rows() - 1);
    }
  }

  /**
   * Input: users and items whose ids were recorded from the first version of the store. Expected:
   * the same ids and dense values: a model trained on these features keeps their meaning.
   */
  @Test
  void shouldKeepTheIdsOfEarlierVersions() {
    FeatureBatch rmc3 = FeatureStore.lookup(ModelCatalog.rmc3(), 5, new long[] {1, 2, 3}, UserSideIds.PER_ITEM);
    assertThat(Arrays.copyOf(rmc3.sparse(), 6)).containsExactly(777926, 1562187, 506104, 1881110, 1452070, 779783);
    assertThat(rmc3.sparse()[599]).isEqualTo(637646);
    assertThat(rmc3.dense()[0]).isEqualTo(0.5208289f);
    FeatureBatch shared = FeatureStore.lookup(ModelCatalog.spec(ModelId.DIN), 9, new long[] {100, 200}, UserSideIds.SHARED);
    assertThat(Arrays.copyOf(shared.sparse(), 6)).containsExactly(671136, 872834, 227384, 41683, 32850, 87302);
    assertThat(shared.sparse()[shared.sparse().length - 1]).isEqualTo(8977890);
  }

  /**
   * Input: hashes at the edges of the unsigned range and random ones, table sizes from 1 to the
   * largest int, on both sides of where the multiplication takes over. Expected: exactly
   * {@code Long.remainderUnsigned}.
   */
  @Test
  void shouldTakeRemaindersExactlyAsUnsignedDivisionDoes() {
    SplittableRandom random = new SplittableRandom(11);
    int[] sizes = {1, 2, 3, 4095, 4096, 4097, 65_537, 1_000_003, 4_000_000, Integer.MAX_VALUE - 1, Integer.MAX_VALUE};
    long[] edges = {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE + 1, Long.MAX_VALUE - 1};
    for (int k = 0; k < 2_000; k++) {
      int rows = k < sizes.length ? sizes[k] : 1 + random.nextInt(Integer.MAX_VALUE);
      double inverse = FeatureStore.inverse(rows);
      for (long h : edges) {
        assertThat(FeatureStore.remainder(h, rows, inverse)).as("%d mod %d", h, rows)
            .isEqualTo((int) Long.remainderUnsigned(h, rows));
      }
      for (int j = 0; j < 500; j++) {
        long h = random.nextLong();
        assertThat(FeatureStore.remainder(h, rows, inverse)).as("%d mod %d", h, rows)
            .isEqualTo((int) Long.remainderUnsigned(h, rows));
      }
    }
  }
}

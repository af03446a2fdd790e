package io.deeprec.model;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Deterministic synthetic features, so that a query needs to carry only a user id and candidate
 * item ids (as in production, where features come from a feature store). Plain Java, no DJL.
 *
 * <p>Every id is a hash, uniform over the table's rows (the reference draws ids uniformly too, the
 * worst case for caches). Item-side tables hash the item id, table and lookup position. User-side
 * tables hash the user id, table and position, and, with {@link UserSideIds#PER_ITEM} (the
 * reference's inputs, the default), the item id too, so that every candidate has its own rows;
 * with {@link UserSideIds#SHARED} every candidate of a query looks up the same user rows (a
 * behaviour sequence is then a function of the user and the step). Dense features are in [0, 1)
 * and depend on the user and the item. The same
 * inputs always give the same features, in every JVM.
 */
public final class FeatureStore {
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;
  private static final long TABLE_SALT = 0xC2B2AE3D27D4EB4FL;
  private static final long LOOKUP_SALT = 0x165667B19E3779F9L;
  private static final long USER_SALT = 0x27D4EB2F165667C5L;
  private static final long ITEM_SALT = 0x94D049BB133111EBL;
  private static final long DENSE_SALT = 0xBF58476D1CE4E5B9L;
  private static final float UNIT = 0x1.0p-24f;

  private FeatureStore() {}

  /** Features of {@code itemIds.length} candidates of one user's query, in candidate order. */
  public static FeatureBatch lookup(ModelSpec spec, long userId, long[] itemIds, UserSideIds userSide) {
    int n = itemIds.length;
    int perItem = spec.sparseIdsPerItem();
    int[] sparse = new int[n * perItem];
    List<TableSpec> tables = spec.tables();
    int column = 0;
    for (int t = 0; t < tables.size(); t++) {
      TableSpec table = tables.get(t);
      for (int l = 0; l < table.lookups(); l++, column++) {
        if (table.side() == TableSpec.Side.USER && userSide == UserSideIds.SHARED) {
          int id = sparseId(USER_SALT, userId, t, l, table.rows());
          for (int i = 0; i < n; i++) {
            sparse[i * perItem + column] = id;
          }
        } else if (table.side() == TableSpec.Side.USER) {
          for (int i = 0; i < n; i++) {
            sparse[i * perItem + column] = sparseId(USER_SALT, userId ^ mix(itemIds[i] + ITEM_SALT), t, l, table.rows());
          }
        } else {
          for (int i = 0; i < n; i++) {
            sparse[i * perItem + column] = sparseId(ITEM_SALT, itemIds[i], t, l, table.rows());
          }
        }
      }
    }
    int denseDim = spec.denseDim();
    float[] dense = new float[n * denseDim];
    for (int i = 0; i < n; i++) {
      long base = mix(DENSE_SALT ^ (userId * GOLDEN) ^ mix(itemIds[i] + ITEM_SALT));
      int row = i * denseDim;
      for (int j = 0; j < denseDim; j++) {
        dense[row + j] = (mix(base + j * GOLDEN) >>> 40) * UNIT;
      }
    }
    return new FeatureBatch(n, dense, sparse);
  }

  /** Independent uniform features for {@code items} candidates (profiling and warm-up). */
  public static FeatureBatch randomBatch(ModelSpec spec, int items, SplittableRandom random) {
    int perItem = spec.sparseIdsPerItem();
    int[] sparse = new int[items * perItem];
    List<TableSpec> tables = spec.tables();
    for (int i = 0; i < items; i++) {
      int column = i * perItem;
      for (TableSpec table : tables) {
        for (int l = 0; l < table.lookups(); l++) {
          sparse[column++] = random.nextInt(table.rows());
        }
      }
    }
    float[] dense = new float[items * spec.denseDim()];
    for (int i = 0; i < dense.length; i++) {
      dense[i] = (float) random.nextDouble();
    }
    return new FeatureBatch(items, dense, sparse);
  }

  /** The id a user-side (or item-side) key has in table {@code table} at lookup {@code lookup}. */
  static int sparseId(long sideSalt, long key, int table, int lookup, int rows) {
    long h = mix(sideSalt ^ mix(key * GOLDEN + (table + 1) * TABLE_SALT + (lookup + 1) * LOOKUP_SALT));
    return (int) Long.remainderUnsigned(h, rows);
  }

  /** SplitMix64's finaliser: a cheap, well-mixed 64-bit hash. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}

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
  /** How a column's id is keyed: by the item, by the user and the item, or by the user alone. */
  private static final int ITEM_KEYED = 0;
  private static final int USER_ITEM_KEYED = 1;
  private static final int USER_KEYED = 2;
  /** Tables at least this large get their ids by a multiplication instead of a division. */
  private static final int MULTIPLY_MIN_ROWS = 1 << 12;

  private FeatureStore() {}

  /** Features of {@code itemIds.length} candidates of one user's query, in candidate order. */
  public static FeatureBatch lookup(ModelSpec spec, long userId, long[] itemIds, UserSideIds userSide) {
    int n = itemIds.length;
    float[] dense = new float[n * spec.denseDim()];
    int[] sparse = new int[n * spec.sparseIdsPerItem()];
    lookupInto(spec, userId, itemIds, userSide, dense, sparse, 0);
    return new FeatureBatch(n, dense, sparse);
  }

  /**
   * Writes the features of {@code itemIds.length} candidates into {@code dense} and {@code sparse} from
   * candidate row {@code firstRow} on (a request's batch holds several queries' candidates: written in
   * place, not built apart and copied).
   */
  public static void lookupInto(ModelSpec spec, long userId, long[] itemIds, UserSideIds userSide, float[] dense,
      int[] sparse, int firstRow) {
    int n = itemIds.length;
    int perItem = spec.sparseIdsPerItem();
    // Per id column (table, lookup): its salt, side and table size, computed once per call, so that
    // the ids are written item by item in memory order (a column-major walk touches a cache line per id).
    long[] columnSalt = new long[perItem];
    int[] columnRows = new int[perItem];
    double[] columnInverse = new double[perItem];
    int[] columnKind = new int[perItem];
    List<TableSpec> tables = spec.tables();
    int column = 0;
    for (int t = 0; t < tables.size(); t++) {
      TableSpec table = tables.get(t);
      int kind = table.side() == TableSpec.Side.ITEM ? ITEM_KEYED
          : userSide == UserSideIds.SHARED ? USER_KEYED : USER_ITEM_KEYED;
      for (int l = 0; l < table.lookups(); l++, column++) {
        columnSalt[column] = (t + 1) * TABLE_SALT + (l + 1) * LOOKUP_SALT;
        columnRows[column] = table.rows();
        columnInverse[column] = inverse(table.rows());
        columnKind[column] = kind;
      }
    }
    int[] sharedUserIds = new int[perItem];
    for (int c = 0; c < perItem; c++) {
      if (columnKind[c] == USER_KEYED) {
        sharedUserIds[c] = sparseId(USER_SALT, userId, columnSalt[c], columnRows[c], columnInverse[c]);
      }
    }
    for (int i = 0; i < n; i++) {
      long itemKey = itemIds[i];
      long userItemKey = userId ^ mix(itemKey + ITEM_SALT);
      int row = (firstRow + i) * perItem;
      for (int c = 0; c < perItem; c++) {
        sparse[row + c] = switch (columnKind[c]) {
          case ITEM_KEYED -> sparseId(ITEM_SALT, itemKey, columnSalt[c], columnRows[c], columnInverse[c]);
          case USER_ITEM_KEYED -> sparseId(USER_SALT, userItemKey, columnSalt[c], columnRows[c], columnInverse[c]);
          default -> sharedUserIds[c];
        };
      }
    }
    int denseDim = spec.denseDim();
    for (int i = 0; i < n; i++) {
      long base = mix(DENSE_SALT ^ (userId * GOLDEN) ^ mix(itemIds[i] + ITEM_SALT));
      int row = (firstRow + i) * denseDim;
      for (int j = 0; j < denseDim; j++) {
        dense[row + j] = (mix(base + j * GOLDEN) >>> 40) * UNIT;
      }
    }
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

  /** The id a user-side (or item-side) key has in the table and lookup of {@code columnSalt}. */
  private static int sparseId(long sideSalt, long key, long columnSalt, int rows, double inverse) {
    return remainder(mix(sideSalt ^ mix(key * GOLDEN + columnSalt)), rows, inverse);
  }

  /** {@code 1.0 / rows} where {@link #remainder} may divide by multiplying, else 0. */
  static double inverse(int rows) {
    return rows >= MULTIPLY_MIN_ROWS ? 1.0 / rows : 0;
  }

  /**
   * {@code Long.remainderUnsigned(h, rows)}, exactly, by a multiplication when {@code inverse} is
   * {@link #inverse}'s: a 64-bit division by a divisor known only at run time is the dearest
   * step of a lookup. The quotient estimated in double precision is within a few units of the true
   * one for {@code rows >= MULTIPLY_MIN_ROWS}, and the remainder is corrected into range.
   */
  static int remainder(long h, int rows, double inverse) {
    if (inverse == 0) {
      return (int) Long.remainderUnsigned(h, rows);
    }
    // h as an unsigned value; dropping its lowest bit is within the correction below.
    long quotient = (long) ((double) (h >>> 1) * 2.0 * inverse);
    long r = h - quotient * rows; // exact: the true difference is a few times rows at most
    while (r < 0) {
      r += rows;
    }
    while (r >= rows) {
      r -= rows;
    }
    return (int) r;
  }

  /** SplitMix64's finaliser: a cheap, well-mixed 64-bit hash. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}

package io.deeprec.model.train;

import io.deeprec.model.FeatureBatch;
import io.deeprec.model.FeatureStore;
import io.deeprec.model.ModelSpec;
import io.deeprec.model.TableSpec;
import io.deeprec.model.UserSideIds;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A click log drawn from a known generating process, so that trained scores can be checked: (user,
 * item) impressions with {@link FeatureStore}'s features, clicked with probability sigmoid(teacher
 * logit). The hidden teacher is additive over the same features a model sees: a seeded N(0, 1)
 * weight per embedding row (averaged over a table's lookups, summed over tables) plus a seeded
 * linear function of the dense features; each part is standardised over the log so that sparse and
 * dense features carry equal signal, then scaled to {@code logitStd} and shifted by {@code bias}
 * (the base click rate). Teacher logits are kept: their AUC is the ceiling a student can reach.
 */
public final class SyntheticClickLog {
  private final ModelSpec spec;
  private final long[] users;
  private final long[] items;
  private final boolean[] clicks;
  private final float[] teacherLogits;

  private SyntheticClickLog(ModelSpec spec, long[] users, long[] items, boolean[] clicks, float[] teacherLogits) {
    this.spec = spec;
    this.users = users;
    this.items = items;
    this.clicks = clicks;
    this.teacherLogits = teacherLogits;
  }

  /**
   * Draws {@code samples} impressions of {@code userCount} users and {@code itemCount} items.
   *
   * @param teacherSeed seeds the hidden teacher: logs that should share a ground truth (train and
   *     held-out) use the same teacher seed and different sample seeds
   * @param sampleSeed seeds who saw what and the coin flips
   */
  public static SyntheticClickLog generate(ModelSpec spec, int samples, int userCount, int itemCount,
      long teacherSeed, long sampleSeed) {
    return generate(spec, samples, userCount, itemCount, teacherSeed, sampleSeed, 3.0, -1.0);
  }

  public static SyntheticClickLog generate(ModelSpec spec, int samples, int userCount, int itemCount,
      long teacherSeed, long sampleSeed, double logitStd, double bias) {
    SplittableRandom random = new SplittableRandom(sampleSeed);
    long[] users = new long[samples];
    long[] items = new long[samples];
    for (int i = 0; i < samples; i++) {
      users[i] = random.nextInt(userCount);
      items[i] = random.nextInt(itemCount);
    }
    double[] sparsePart = new double[samples];
    double[] densePart = new double[samples];
    Teacher teacher = new Teacher(spec, teacherSeed);
    int chunk = 1024;
    for (int from = 0; from < samples; from += chunk) {
      int to = Math.min(samples, from + chunk);
      FeatureBatch batch = features(spec, users, items, from, to);
      for (int i = from; i < to; i++) {
        sparsePart[i] = teacher.sparse(batch, i - from);
        densePart[i] = teacher.dense(batch, i - from);
      }
    }
    standardise(sparsePart);
    boolean hasDense = spec.denseDim() > 0;
    if (hasDense) {
      standardise(densePart);
    }
    double mix = hasDense ? Math.sqrt(0.5) : 1.0;
    boolean[] clicks = new boolean[samples];
    float[] logits = new float[samples];
    for (int i = 0; i < samples; i++) {
      double z = mix * (sparsePart[i] + (hasDense ? densePart[i] : 0));
      double logit = logitStd * z + bias;
      logits[i] = (float) logit;
      clicks[i] = random.nextDouble() < 1.0 / (1.0 + Math.exp(-logit));
    }
    return new SyntheticClickLog(spec, users, items, clicks, logits);
  }

  public ModelSpec spec() {
    return spec;
  }

  public int size() {
    return users.length;
  }

  public boolean[] clicks() {
    return clicks.clone();
  }

  public boolean click(int index) {
    return clicks[index];
  }

  /** Fraction of clicked impressions. */
  public double clickRate() {
    int n = 0;
    for (boolean c : clicks) {
      n += c ? 1 : 0;
    }
    return (double) n / clicks.length;
  }

  /** The AUC of the teacher's own logits: the best any model can do on this log. */
  public double teacherAuc() {
    return Auc.of(teacherLogits, clicks);
  }

  /** Features of impressions {@code from} (inclusive) to {@code to} (exclusive). */
  public FeatureBatch features(int from, int to) {
    return features(spec, users, items, from, to);
  }

  /** Features of the impressions at {@code indices}, in that order. */
  public FeatureBatch features(int[] indices) {
    long[] u = new long[indices.length];
    long[] it = new long[indices.length];
    for (int i = 0; i < indices.length; i++) {
      u[i] = users[indices[i]];
      it[i] = items[indices[i]];
    }
    return features(spec, u, it, 0, indices.length);
  }

  private static FeatureBatch features(ModelSpec spec, long[] users, long[] items, int from, int to) {
    int n = to - from;
    int perItem = spec.sparseIdsPerItem();
    int denseDim = spec.denseDim();
    int[] sparse = new int[n * perItem];
    float[] dense = new float[n * denseDim];
    for (int i = 0; i < n; i++) {
      FeatureBatch one = FeatureStore.lookup(spec, users[from + i], new long[] {items[from + i]}, UserSideIds.SHARED);
      System.arraycopy(one.sparse(), 0, sparse, i * perItem, perItem);
      System.arraycopy(one.dense(), 0, dense, i * denseDim, denseDim);
    }
    return new FeatureBatch(n, dense, sparse);
  }

  private static void standardise(double[] values) {
    double mean = 0;
    for (double v : values) {
      mean += v;
    }
    mean /= values.length;
    double var = 0;
    for (double v : values) {
      var += (v - mean) * (v - mean);
    }
    double std = Math.sqrt(var / values.length);
    for (int i = 0; i < values.length; i++) {
      values[i] = std > 0 ? (values[i] - mean) / std : 0;
    }
  }

  /** The hidden generating function: hash-derived weights, nothing stored per row. */
  private static final class Teacher {
    private final ModelSpec spec;
    private final long seed;
    private final int[] columnTable;
    private final double[] columnWeight;

    Teacher(ModelSpec spec, long seed) {
      this.spec = spec;
      this.seed = seed;
      List<TableSpec> tables = spec.tables();
      int columns = spec.sparseIdsPerItem();
      columnTable = new int[columns];
      columnWeight = new double[columns];
      int c = 0;
      for (int t = 0; t < tables.size(); t++) {
        for (int l = 0; l < tables.get(t).lookups(); l++, c++) {
          columnTable[c] = t;
          columnWeight[c] = 1.0 / tables.get(t).lookups();
        }
      }
    }

    double sparse(FeatureBatch batch, int row) {
      int per = columnTable.length;
      double sum = 0;
      for (int c = 0; c < per; c++) {
        int id = batch.sparse()[row * per + c];
        sum += columnWeight[c] * gaussian(seed, columnTable[c], id);
      }
      return sum;
    }

    double dense(FeatureBatch batch, int row) {
      int d = spec.denseDim();
      double sum = 0;
      for (int j = 0; j < d; j++) {
        sum += gaussian(seed ^ 0x5DEECE66DL, -1, j) * batch.dense()[row * d + j];
      }
      return sum;
    }

    /** Approximately N(0, 1) from a hash (sum of four uniforms, rescaled). */
    private static double gaussian(long seed, int table, long index) {
      long h = mix(seed * 0x9E3779B97F4A7C15L + table * 0xC2B2AE3D27D4EB4FL + index);
      double sum = 0;
      for (int k = 0; k < 4; k++) {
        sum += (h >>> 48) / 65536.0;
        h = mix(h + 0x632BE59BD9B4E019L);
      }
      return (sum - 2.0) * Math.sqrt(3.0);
    }

    private static long mix(long z) {
      z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
      return z ^ (z >>> 31);
    }
  }
}

package io.deeprec.model;

/**
 * The model inputs of {@code items} candidates, row-major, plain Java so that batching code needs
 * no DJL. {@code dense} holds items x denseDim floats; {@code sparse} holds items x
 * sparseIdsPerItem table row ids, table by table in {@link ModelSpec#tables()} order, the lookups
 * of one table contiguous (a behaviour sequence is one table's lookups, oldest first).
 */
public final class FeatureBatch {
  private final int items;
  private final float[] dense;
  private final int[] sparse;

  public FeatureBatch(int items, float[] dense, int[] sparse) {
    if (items < 0) {
      throw new IllegalArgumentException("items must be >= 0: " + items);
    }
    this.items = items;
    this.dense = dense;
    this.sparse = sparse;
  }

  public int items() {
    return items;
  }

  public float[] dense() {
    return dense;
  }

  public int[] sparse() {
    return sparse;
  }

  /** Checks the array lengths against a model's shapes; throws naming the mismatch. */
  public void checkShape(ModelSpec spec) {
    long wantDense = (long) items * spec.denseDim();
    long wantSparse = (long) items * spec.sparseIdsPerItem();
    if (dense.length != wantDense) {
      throw new IllegalArgumentException(
          spec.name() + ": dense has " + dense.length + " floats, expected " + items + " x " + spec.denseDim());
    }
    if (sparse.length != wantSparse) {
      throw new IllegalArgumentException(
          spec.name() + ": sparse has " + sparse.length + " ids, expected " + items + " x " + spec.sparseIdsPerItem());
    }
  }
}

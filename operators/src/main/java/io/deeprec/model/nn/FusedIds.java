package io.deeprec.model.nn;

import io.deeprec.model.FeatureBatch;
import io.deeprec.model.ModelSpec;
import io.deeprec.model.TableSpec;
import java.util.List;

/**
 * Maps per-table sparse ids to rows of the fused embedding parameter (table base + id), checking
 * every id on the way: an out-of-range index reaching libtorch aborts the process, so the check
 * must happen here, in Java, and it costs nothing extra since the ids are copied anyway.
 */
public final class FusedIds {
  private final ModelSpec spec;
  private final int[] columnBase;
  private final int[] columnRows;
  private final int[] columnTable;

  public FusedIds(ModelSpec spec) {
    this.spec = spec;
    int columns = spec.sparseIdsPerItem();
    this.columnBase = new int[columns];
    this.columnRows = new int[columns];
    this.columnTable = new int[columns];
    List<TableSpec> tables = spec.tables();
    int base = 0;
    int col = 0;
    for (int t = 0; t < tables.size(); t++) {
      TableSpec table = tables.get(t);
      for (int l = 0; l < table.lookups(); l++, col++) {
        columnBase[col] = base;
        columnRows[col] = table.rows();
        columnTable[col] = t;
      }
      base += table.rows();
    }
  }

  /**
   * Fused row ids of {@code batch}, row-major (items x ids per item).
   *
   * @throws IllegalArgumentException naming the table, candidate and id when an id is outside its
   *     table
   */
  public int[] fuse(FeatureBatch batch) {
    batch.checkShape(spec);
    int[] sparse = batch.sparse();
    int columns = columnBase.length;
    int[] out = new int[sparse.length];
    for (int i = 0, pos = 0; i < batch.items(); i++) {
      for (int c = 0; c < columns; c++, pos++) {
        int id = sparse[pos];
        if (id < 0 || id >= columnRows[c]) {
          TableSpec t = spec.tables().get(columnTable[c]);
          throw new IllegalArgumentException(spec.id() + ": sparse id " + id + " of table " + t.name()
              + " (candidate " + i + ") is outside [0, " + t.rows() + ")");
        }
        out[pos] = columnBase[c] + id;
      }
    }
    return out;
  }
}

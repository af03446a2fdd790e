package io.deeprec.model;

import java.io.Serializable;

/**
 * One embedding table of a model.
 *
 * @param name table name, unique within a model (used in error messages)
 * @param rows number of rows; sparse ids of this table must lie in {@code [0, rows)}
 * @param dim embedding width
 * @param lookups ids per candidate item for this table (a bag for {@link Pooling#SUM}, a behaviour
 *     sequence, oldest first, for {@link Pooling#SEQUENCE})
 * @param side whose attribute the ids describe: the user (same for every candidate of a query) or
 *     the candidate item
 * @param pooling how the looked-up rows are combined
 */
public record TableSpec(String name, int rows, int dim, int lookups, Side side, Pooling pooling)
    implements Serializable {

  /** Whose attribute a table's ids describe; drives {@link FeatureStore}'s synthetic ids. */
  public enum Side {
    /** Derived from the user id only: profile, context and behaviour-history tables. */
    USER,
    /** Derived from the candidate item id: ad, item and most DLRM tables. */
    ITEM
  }

  /** How the rows a candidate looks up in one table are combined. */
  public enum Pooling {
    /** Embedding bag: the rows are summed into one vector (DLRM, and 1-lookup tables). */
    SUM,
    /** Kept as a sequence of vectors, consumed by attention or a recurrent layer (DIN, DIEN). */
    SEQUENCE
  }

  public TableSpec {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("table name is required");
    }
    if (rows < 1 || dim < 1 || lookups < 1) {
      throw new IllegalArgumentException(
          "table " + name + ": rows, dim and lookups must be >= 1, got " + rows + ", " + dim + ", " + lookups);
    }
    if (side == null || pooling == null) {
      throw new IllegalArgumentException("table " + name + ": side and pooling are required");
    }
  }

  /** Same table with a new row count (table scaling keeps every other shape). */
  public TableSpec withRows(int newRows) {
    return new TableSpec(name, newRows, dim, lookups, side, pooling);
  }

  /** Float32 bytes of this table's parameters. */
  public long bytes() {
    return (long) rows * dim * Float.BYTES;
  }
}

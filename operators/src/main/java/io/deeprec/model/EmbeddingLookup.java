package io.deeprec.model;

import java.util.Locale;

/**
 * How a model gathers its embedding rows. Both read the same parameters and give the same scores;
 * they differ in the calls made per request, which is what small batches pay for.
 */
public enum EmbeddingLookup {
  /**
   * One pooled lookup per table, as the reference runs them (Caffe2's {@code SparseLengthsSum} per
   * table): a model with many tables pays a per-table cost on every request.
   */
  PER_TABLE,
  /** Every table's ids offset into one fused parameter and gathered in one call per request. */
  FUSED;

  /** The name used in configuration and on the command line: {@code per-table} or {@code fused}. */
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Parses {@link #toString()}'s form, case-insensitively. */
  public static EmbeddingLookup parse(String value) {
    for (EmbeddingLookup lookup : values()) {
      if (lookup.toString().equalsIgnoreCase(value.trim())) {
        return lookup;
      }
    }
    throw new IllegalArgumentException("unknown embedding lookup '" + value + "' (per-table, fused)");
  }
}

package io.deeprec.model;

import java.util.Locale;

/**
 * How {@link FeatureStore} draws the ids of a user-side table (profile, context, behaviour
 * history) for the candidates of one query.
 */
public enum UserSideIds {
  /**
   * Every candidate draws its own ids in every table, as the reference's input generator does: the
   * embedding cost of a batch is that of independent rows, the same the profiler measures.
   */
  PER_ITEM,
  /**
   * The candidates of a query share the user's rows, as a real ranking service does (one user, N
   * items): fewer distinct rows per request, so fewer cache misses than the reference measures.
   */
  SHARED;

  /** The name used in configuration and on the command line: {@code per-item} or {@code shared}. */
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Parses {@link #toString()}'s form, case-insensitively. */
  public static UserSideIds parse(String value) {
    for (UserSideIds mode : values()) {
      if (mode.toString().equalsIgnoreCase(value.trim())) {
        return mode;
      }
    }
    throw new IllegalArgumentException("unknown user-side ids '" + value + "' (per-item, shared)");
  }
}

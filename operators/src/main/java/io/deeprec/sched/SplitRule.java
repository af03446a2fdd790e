package io.deeprec.sched;

import java.util.Locale;

/**
 * How a query larger than the batch size is cut when requests are not merged. Both give ceil(N / batchSize)
 * requests of at most batchSize items, so the work and the request count are the same; they differ in the size
 * of the largest part, which the query waits for.
 */
public enum SplitRule {
  /** As many full requests as fit, then the remainder: 167 items at 128 are 128 + 39. */
  FULL_FIRST,
  /** The same number of requests, as equal as possible: 167 items at 128 are 84 + 83. */
  BALANCED;

  /** The rule a job uses unless configured otherwise. */
  public static final SplitRule DEFAULT = FULL_FIRST;

  /** The name used in configuration and on the command line: {@code full-first} or {@code balanced}. */
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}

package io.deeprec.job;

import java.util.Locale;

/** Where a query source without committed offsets starts ({@link DeepRecOptions#STARTING_OFFSETS}). */
public enum StartingOffsets {
  LATEST,
  EARLIEST;

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}

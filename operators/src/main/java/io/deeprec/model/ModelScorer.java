package io.deeprec.model;

/** Scores batches on one thread. Not thread-safe: one per worker thread. */
public interface ModelScorer extends AutoCloseable {

  /** One score per candidate, in input order (a click probability in [0, 1] for CTR heads). */
  float[] score(FeatureBatch batch);

  @Override
  void close();
}

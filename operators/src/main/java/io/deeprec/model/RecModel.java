package io.deeprec.model;

/**
 * A loaded recommendation model (parameters in native memory). Thread-safe as a factory of
 * scorers; one instance per JVM is shared through {@link ModelRegistry}.
 */
public interface RecModel extends AutoCloseable {

  ModelSpec spec();

  /** Where the parameters live, e.g. {@code cpu} or {@code gpu:0}. */
  String device();

  /**
   * The version of the parameters, carried by every result they score: an external model's
   * manifest version; empty for the built-in models.
   */
  default String version() {
    return "";
  }

  /** A scorer for the calling thread only (wraps one DJL Predictor, which is not thread-safe). */
  ModelScorer newScorer();

  @Override
  void close();
}

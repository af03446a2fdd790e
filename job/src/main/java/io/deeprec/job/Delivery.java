package io.deeprec.job;

import java.util.Locale;

/** The result delivery guarantee of the job's Kafka sinks ({@link DeepRecOptions#DELIVERY}). */
public enum Delivery {
  AT_LEAST_ONCE,
  EXACTLY_ONCE;

  /** As written in configuration: {@code at-least-once}, {@code exactly-once}. */
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}

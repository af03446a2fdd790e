package io.deeprec.warmup;

import io.deeprec.schema.MetricsSnapshot;
import io.deeprec.schema.RecQuery;
import java.io.Serializable;

/**
 * Where the job's warm-up queries and its readiness announcement go: the queries topic (so that
 * the warm-up takes the whole path a real query takes, source included) and the metrics topic.
 */
public interface WarmupSender extends AutoCloseable {

  /** Partitions of the queries topic; every one must be reached before the job is ready. */
  int partitions();

  /** Sends a warm-up query to one partition of the queries topic. */
  void send(RecQuery query, int partition);

  /** Publishes a readiness record on the metrics topic. */
  void announce(MetricsSnapshot readiness);

  @Override
  void close();

  /** Opens a sender inside a task (the factory is shipped with the job graph). */
  @FunctionalInterface
  interface Factory extends Serializable {
    WarmupSender open();
  }
}

package io.deeprec.sched;

import java.io.Serializable;

/**
 * Decides how queries of one model are cut into inference requests. Implementations are plain
 * Java (no Flink, no DJL) so they can be tested on synthetic service-time models.
 */
public interface BatchPolicy extends Serializable {

  /** Short name used on the CLI and in metrics, e.g. {@code fixed}. */
  String name();

  /** The settings to apply to the next query. */
  BatchSettings settings();
}

package io.deeprec.sched;

import java.io.Serializable;

/**
 * Decides how queries of one model are cut into inference requests. Implementations are plain
 * Java (no Flink, no DJL) so they can be tested on synthetic service-time models.
 *
 * <p>Static policies return the same settings forever; adaptive ones change them from the windows
 * of completed queries they {@link #observe}. In the job, adaptive policies run in the controller,
 * whose decisions reach the batchers through the control topic.
 */
public interface BatchPolicy extends Serializable {

  /** Short name used on the CLI and in metrics, e.g. {@code fixed}. */
  String name();

  /** The settings to apply now. */
  BatchSettings settings();

  /**
   * Feedback from one window of completed queries; returns the settings to apply from now on.
   * Static policies ignore it.
   */
  default BatchSettings observe(WindowObservation window) {
    return settings();
  }

  /** Whether {@link #observe} can change the settings (the controller only runs these). */
  default boolean adaptive() {
    return false;
  }

  /**
   * Whether the policy has finished adapting to the load it sees and holds its settings: a
   * benchmark measures an adaptive policy once it has settled, as a steady load would find it.
   * Static policies and controllers that never stop adjusting (AIMD) are always settled.
   */
  default boolean settled() {
    return true;
  }

  /**
   * Whether the policy holds its settings as its choice, no exploration under way (published with each
   * decision). Unlike {@link #settled}, true from the decision to hold on, before a window has been served
   * under the choice.
   */
  default boolean converged() {
    return settled();
  }

  /** Why the settings are what they are, in words (for the control topic's decision records); null when not told. */
  default String reason() {
    return null;
  }
}

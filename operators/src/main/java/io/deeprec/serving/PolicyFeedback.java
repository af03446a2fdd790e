package io.deeprec.serving;

import io.deeprec.sched.BatchPolicy;
import io.deeprec.sched.BatchSettings;
import io.deeprec.sched.QuerySizeAware;
import io.deeprec.sched.WindowObservation;
import java.io.Serializable;

/**
 * The control loop's rule for one model, the one copy the job's controller, the serving simulator
 * and the harness run: a policy learns only from a window measured under the settings it is
 * judging. A window served under older settings (its queries were batched before the last
 * decision reached the batchers) or under several is skipped; should windows keep reporting other
 * settings (a decision lost on the way, a manual pin released), the policy's settings are sent
 * again after {@value #RESEND_AFTER_WINDOWS} such windows. A decision is also sent when the policy
 * decides without moving (it holds its setting after a climb, or starts exploring again from it): the
 * control topic then records every decision with its reason, and repeating the settings is harmless.
 *
 * <p>Serializable with the policy it drives, so the job keeps both in keyed state.
 */
public final class PolicyFeedback implements Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * Consecutive windows under other settings than the policy's after which its settings are sent
   * again. A decision normally shows within two windows (one still in flight, one mixed); a few
   * more absorb slow hops, and a resend is harmless (it repeats the settings the policy holds).
   */
  public static final int RESEND_AFTER_WINDOWS = 5;

  private final BatchPolicy policy;
  private int windowsUnderOtherSettings;
  /** The policy's reason when a decision was last sent (or at the start). */
  private String reasonSent;

  /** @param policy the policy to drive (mutated as it learns) */
  public PolicyFeedback(BatchPolicy policy) {
    this.policy = policy;
    this.reasonSent = policy.reason();
  }

  public BatchPolicy policy() {
    return policy;
  }

  /**
   * What a window leads to.
   *
   * @param settings the settings to apply from now on, or null when nothing is to be sent
   * @param learned whether the policy learned from the window
   * @param reason why, for a decision's log and record
   */
  public record Step(BatchSettings settings, boolean learned, String reason) {}

  /**
   * Feeds one finished window.
   *
   * @param window the window; its {@code applied} settings are those that served it (null when unknown)
   * @param mixedSettings whether its queries were served under more than one setting
   * @param meanQueryItems its queries' mean size (for {@link QuerySizeAware} policies; <= 0 = unknown)
   * @param maxQueryItems its largest query
   */
  public Step onWindow(WindowObservation window, boolean mixedSettings, double meanQueryItems, int maxQueryItems) {
    BatchSettings before = policy.settings();
    if (!policy.adaptive() || window.queries() == 0) {
      return new Step(null, false, "not adaptive, or no query in the window");
    }
    if (mixedSettings || !before.equals(window.applied())) {
      if (++windowsUnderOtherSettings >= RESEND_AFTER_WINDOWS) {
        windowsUnderOtherSettings = 0;
        return new Step(before, false, String.format(java.util.Locale.ROOT,
            "resent: %d windows were served under other settings than batch %d, threshold %d",
            RESEND_AFTER_WINDOWS, before.batchSize(), before.offloadThreshold()));
      }
      return new Step(null, false, "window served under other settings");
    }
    windowsUnderOtherSettings = 0;
    if (policy instanceof QuerySizeAware sizeAware && maxQueryItems > 0) {
      sizeAware.observeQuerySizes(meanQueryItems, maxQueryItems);
    }
    BatchSettings after = policy.observe(window);
    String reason = policy.reason();
    boolean decidedAnew = reason != null && !reason.equals(reasonSent);
    reasonSent = reason;
    if (after.equals(before)) {
      return decidedAnew
          ? new Step(after, true, String.format(java.util.Locale.ROOT, "batch %d, threshold %d kept: %s",
              after.batchSize(), after.offloadThreshold(), reason))
          : new Step(null, true, "settings held");
    }
    String why = reason != null ? reason : String.format(java.util.Locale.ROOT, "window p95 %.1f ms at %.1f qps",
        window.p95Ms(), window.qps());
    return new Step(after, true, String.format(java.util.Locale.ROOT, "batch %d -> %d, threshold %d -> %d: %s",
        before.batchSize(), after.batchSize(), before.offloadThreshold(), after.offloadThreshold(), why));
  }

  /** Feeds one finished {@link MetricsWindow}. */
  public Step onWindow(MetricsWindow window) {
    return onWindow(window.observation(), window.mixedSettings(), window.meanQueryItems(), window.maxQueryItems());
  }
}

package io.deeprec.sched;

import java.io.Serializable;
import java.util.ArrayDeque;

/**
 * When a converged DeepRecSched explores again: when the load completed over the last {@code watchWindows}
 * windows moved by more than {@code loadChangeFraction} from the load its choice settled at, or when a choice
 * that met the target misses it in every window of a watch span (a few windows over the target near the LBT
 * are noise; a queue that builds misses in all). A choice that missed the target from the
 * start (the load exceeds every setting's capacity) is only explored again when the load moves: at the same
 * load, exploring would find the same choice and add a backlog on the way.
 */
final class ReexplorationTrigger implements Serializable {
  private static final long serialVersionUID = 1L;

  private final double targetP95Ms;
  private final int watchWindows;
  private final double loadChangeFraction;
  private final boolean loadChangeNeedsMiss;
  private final ArrayDeque<WindowObservation> recent = new ArrayDeque<>();
  private boolean choiceMetTarget;
  private int missesInARow;
  private double settledQps = Double.NaN;

  ReexplorationTrigger(double targetP95Ms, SchedParameters parameters) {
    this.targetP95Ms = targetP95Ms;
    this.watchWindows = parameters.watchWindows();
    this.loadChangeFraction = parameters.loadChangeFraction();
    this.loadChangeNeedsMiss = parameters.loadChangeNeedsMiss();
  }

  /** Starts watching a new choice; the load it settles at is the first full watch span's. */
  void watch(boolean choiceMetTarget) {
    this.choiceMetTarget = choiceMetTarget;
    this.settledQps = Double.NaN;
    recent.clear();
    missesInARow = 0;
  }

  /**
   * Why to explore again.
   *
   * @param why in words, for the decision's record
   * @param missedTarget whether the trigger is a sustained miss (else a load change)
   */
  record Reexplore(String why, boolean missedTarget) {}

  /** Feeds one window under the choice; returns why to explore again, or null to hold. */
  Reexplore onWindow(WindowObservation window) {
    recent.addLast(window);
    missesInARow = window.p95Ms() > targetP95Ms ? missesInARow + 1 : 0;
    if (recent.size() > watchWindows) {
      recent.removeFirst();
    }
    if (recent.size() < watchWindows) {
      return null;
    }
    double queries = 0;
    double spanMs = 0;
    for (WindowObservation w : recent) {
      queries += w.queries();
      spanMs += w.qps() > 0 ? w.queries() * 1000.0 / w.qps() : 0;
    }
    double qps = spanMs > 0 ? queries * 1000.0 / spanMs : 0;
    if (Double.isNaN(settledQps)) {
      settledQps = qps;
      return null;
    }
    if (Math.abs(qps - settledQps) > loadChangeFraction * settledQps) {
      if (loadChangeNeedsMiss && medianP95() <= targetP95Ms) {
        // The choice has the most capacity measured among those that met the target (or among all): at another
        // load one with more capacity cannot newly meet it, so while the choice meets it, the choice stands.
        settledQps = qps;
        return null;
      }
      return new Reexplore(String.format(java.util.Locale.ROOT, "load moved from %.1f to %.1f queries/s", settledQps, qps), false);
    }
    if (choiceMetTarget && missesInARow >= watchWindows) {
      return new Reexplore(String.format(java.util.Locale.ROOT, "p95 over the target %.1f ms in %d windows in a row",
          targetP95Ms, missesInARow), true);
    }
    return null;
  }

  private double medianP95() {
    double[] p95s = recent.stream().mapToDouble(WindowObservation::p95Ms).sorted().toArray();
    return p95s[(p95s.length - 1) / 2];
  }
}

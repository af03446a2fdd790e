package io.deeprec.sched;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * DeepRecSched, online. <b>Objective</b>: among the settings whose measured p95 meets the target at the
 * current load, the one with the most measured capacity; when none meets it, the one with the most capacity
 * ({@link StepJudge}). It climbs the batch-size ladder, then, with an accelerator, the offload-threshold
 * ladder ({@link Climb} over {@link BatchLadder}), holds its choice, and explores again from it on a load
 * change or a sustained miss ({@link ReexplorationTrigger}). docs/scheduler.md tells it in full.
 *
 * <p>A state machine: CLIMB_BATCH -> (CLIMB_OFFLOAD) -> HOLD -> CLIMB_BATCH ... Each measured setting
 * takes {@code windowsPerStep} windows served under it alone (the control loop passes no other), and more while they
 * hold fewer than {@code minStepQueries} queries. Every
 * constant is in {@link SchedParameters}.
 */
public final class DeepRecSchedPolicy implements BatchPolicy, QuerySizeAware {
  private static final long serialVersionUID = 4L;
  /** Ladder directions: batch rungs are ordered largest first, offload rungs least offloading first. */
  private static final int TOWARD_LARGER_BATCH = -1;
  private static final int TOWARD_MORE_OFFLOADING = 1;
  private static final double QUERY_SIZE_SMOOTHING = 0.25;

  private enum Phase { CLIMB_BATCH, CLIMB_OFFLOAD, HOLD }

  private final double targetP95Ms;
  private final SchedParameters parameters;
  private final boolean hasAccelerator;
  private final StepJudge judge;
  private final CapacityEstimate capacity;
  private final ReexplorationTrigger trigger;
  /** Workers serving the model: configured as a seed, then the count the windows report. */
  private int workers;
  private double meanQueryItems;
  private int maxQueryItems;

  private BatchSettings current;
  private Phase phase = Phase.CLIMB_BATCH;
  private Climb climb;
  private final List<WindowObservation> stepWindows = new ArrayList<>();
  private long stepQueries;
  private int windowsSinceChange;
  private int explorations = 1;
  private boolean exploringForAMiss;
  private BatchSettings choiceBefore;
  /** The climb's start as measured last, while checking that its speed is steady; null once checked. */
  private MeasuredStep startBefore;
  private int startChecks;
  private String reason = "seeded";

  /**
   * @param targetP95Ms the p95 target (ms), > 0
   * @param parameters the constants
   * @param workers CPU workers serving the model until the windows report them; 0 = unknown
   * @param hasAccelerator whether an accelerator path exists (then the offload threshold is climbed too)
   * @param profileMs the profiler's request latency (ms) per batch size; empty = none
   * @param initialBatchSize first batch size; 0 = seed it (the profile's most capacity within the seed latency)
   */
  public DeepRecSchedPolicy(double targetP95Ms, SchedParameters parameters, int workers, boolean hasAccelerator,
      Map<Integer, Double> profileMs, int initialBatchSize) {
    if (!(targetP95Ms > 0)) {
      throw new IllegalArgumentException("deeprecsched: target p95 must be > 0 ms: " + targetP95Ms);
    }
    if (workers < 0 || initialBatchSize < 0 || initialBatchSize > BatchSettings.MAX_BATCH) {
      throw new IllegalArgumentException("deeprecsched: need workers >= 0 and initialBatchSize in [0, "
          + BatchSettings.MAX_BATCH + "]: " + workers + ", " + initialBatchSize);
    }
    this.targetP95Ms = targetP95Ms;
    this.parameters = parameters;
    this.hasAccelerator = hasAccelerator;
    this.workers = workers;
    this.judge = new StepJudge(targetP95Ms, parameters.capacityMargin(), parameters.p95Band(),
        parameters.missesByCapacity(), parameters.saturatedByCapacityOnly());
    this.capacity = new CapacityEstimate(profileMs == null || profileMs.isEmpty() ? null : new LatencyCurve(profileMs));
    this.trigger = new ReexplorationTrigger(targetP95Ms, parameters);
    this.meanQueryItems = parameters.expectedQueryItems();
    this.current = new BatchSettings(initialBatchSize > 0 ? initialBatchSize : seedBatchSize(), 0, 0);
    this.climb = batchClimb();
  }

  /** The policy with default parameters, no profile, unknown workers and no accelerator. */
  public static DeepRecSchedPolicy withDefaults(double targetP95Ms) {
    return new DeepRecSchedPolicy(targetP95Ms, SchedParameters.DEFAULTS, 0, false, Map.of(), 0);
  }

  @Override
  public String name() {
    return "deeprecsched";
  }

  /** The parameters it runs by. */
  public SchedParameters parameters() { return parameters; }

  @Override
  public synchronized BatchSettings settings() {
    return current;
  }

  @Override
  public boolean adaptive() {
    return true;
  }

  @Override
  public synchronized String reason() {
    return reason;
  }

  /** Whether the policy holds a choice (no climb under way). */
  @Override
  public synchronized boolean converged() {
    return phase == Phase.HOLD;
  }

  /** Holding, and a window was measured under the choice since the last change (the previous setting's queries are done). */
  @Override
  public synchronized boolean settled() {
    return phase == Phase.HOLD && windowsSinceChange > 1;
  }

  /** Climbs started so far, the first one included. */
  public synchronized int explorations() {
    return explorations;
  }

  /** Workers the capacity estimates assume now. */
  synchronized int workers() {
    return workers;
  }

  @Override
  public synchronized void observeQuerySizes(double meanItems, int maxItems) {
    if (meanItems >= 1) {
      meanQueryItems += QUERY_SIZE_SMOOTHING * (meanItems - meanQueryItems);
    }
    maxQueryItems = Math.max(maxQueryItems, maxItems);
  }

  @Override
  public synchronized BatchSettings observe(WindowObservation window) {
    if (window.queries() == 0 || !current.equals(window.applied())) {
      return current;
    }
    if (window.workers() > 0) {
      workers = window.workers();
    }
    windowsSinceChange++;
    if (phase == Phase.HOLD) {
      ReexplorationTrigger.Reexplore why = trigger.onWindow(window);
      if (why != null) {
        exploringForAMiss = why.missedTarget();
        choiceBefore = current;
        explorations++;
        phase = Phase.CLIMB_BATCH;
        climb = batchClimb();
        reason = "explore again: " + why.why();
        windowsSinceChange = 0;
      }
      return current;
    }
    stepWindows.add(window);
    stepQueries += window.queries();
    if (stepWindows.size() >= parameters.windowsPerStep() && stepQueries >= parameters.minStepQueries()) {
      MeasuredStep step = MeasuredStep.of(current, stepWindows, workers, parameters.medianStepP95());
      clearStep();
      capacity.remember(step, meanQueryItems);
      onStepMeasured(step);
    }
    return current;
  }

  private void onStepMeasured(MeasuredStep step) {
    if (phase == Phase.CLIMB_BATCH && climb.best() == null && !steadyStart(step)) {
      return;
    }
    if (phase == Phase.CLIMB_BATCH && climb.best() == null) {
      // The ladder collapses the sizes that split no query seen so far: built when the climb's start is measured.
      climb = batchClimb();
    }
    BatchSettings next = climb.onMeasured(step, judge, this::cannotWin);
    if (next == null && phase == Phase.CLIMB_BATCH && hasAccelerator && !parameters.offloadThresholds().isEmpty()) {
      phase = Phase.CLIMB_OFFLOAD;
      BatchSettings base = climb.best().settings();
      climb = new Climb(BatchLadder.offloadRungs(parameters.offloadThresholds(), base), base, TOWARD_MORE_OFFLOADING,
          climb.best(), parameters);
      next = climb.first(this::cannotWin);
    }
    if (next != null) {
      reason = describe(step) + (climb.confirming() ? "; measure the best again beside it: batch " : "; next batch ")
          + next.batchSize() + ", threshold " + next.offloadThreshold();
      move(next);
      return;
    }
    MeasuredStep best = climb.best();
    boolean meets = judge.meets(best);
    // A miss that re-explored and found the same choice is the edge of the LBT: only a load change re-explores.
    boolean sameAfterMiss = exploringForAMiss && best.settings().equals(choiceBefore);
    trigger.watch(meets && !sameAfterMiss);
    phase = Phase.HOLD;
    reason = describe(step) + String.format(Locale.ROOT, "; hold batch %d, threshold %d (%s the target, capacity %s)",
        best.settings().batchSize(), best.settings().offloadThreshold(), meets ? "meets" : "misses", capacityText(best));
    move(best.settings());
  }

  /**
   * Whether the climb's start measured steady: its work per query within the capacity margin of the measurement
   * before, or no measurement left to check it with. Else it is measured again.
   */
  private boolean steadyStart(MeasuredStep step) {
    boolean steady = startChecks >= parameters.steadyStartSteps()
        || startBefore != null && judge.byCapacity(step.capacityQps(), startBefore.capacityQps()) == 0;
    if (steady) {
      startBefore = null;
      startChecks = 0;
      return true;
    }
    if (startBefore != null) {
      reason = describe(step) + String.format(Locale.ROOT, "; measured again: capacity moved from %s",
          capacityText(startBefore));
    }
    startBefore = step;
    startChecks++;
    return false;
  }

  private void move(BatchSettings next) {
    clearStep();
    if (!next.equals(current)) {
      current = next;
      windowsSinceChange = 0;
    }
  }

  private void clearStep() {
    stepWindows.clear();
    stepQueries = 0;
  }

  /** A rung measured with clearly less capacity than a best that meets the target cannot win by the objective. */
  private boolean cannotWin(BatchSettings rung, MeasuredStep best) {
    return parameters.skipLosers() && best != null && judge.meets(best)
        && judge.byCapacity(capacity.capacityQps(rung, meanQueryItems, workers), best.capacityQps()) < 0;
  }

  private String describe(MeasuredStep step) {
    return String.format(Locale.ROOT, "batch %d, threshold %d: p95 %.1f ms at %.1f queries/s, capacity %s",
        step.settings().batchSize(), step.settings().offloadThreshold(), step.p95Ms(), step.qps(), capacityText(step));
  }

  private static String capacityText(MeasuredStep step) {
    return Double.isNaN(step.capacityQps()) ? "not measured" : String.format(Locale.ROOT, "%.0f queries/s", step.capacityQps());
  }

  /** A batch climb from the current setting, toward larger batches (more capacity) first. */
  private Climb batchClimb() {
    List<BatchSettings> rungs = BatchLadder.batchRungs(parameters.batchCandidates(), maxQueryItems, current.batchSize(),
        current.offloadThreshold());
    return new Climb(rungs, current, TOWARD_LARGER_BATCH, null, parameters);
  }

  /**
   * Before any load is known: with a profile, the batch size with the most profiled capacity among those that
   * serve a typical query unloaded within {@code seedLatencyShare} of the target (the most capacity when none
   * does); without one, the largest candidate (no splitting).
   */
  private int seedBatchSize() {
    TreeSet<Integer> sizes = new TreeSet<>(parameters.batchCandidates());
    if (!capacity.hasProfile()) {
      return sizes.last();
    }
    int best = -1;
    int mostCapacity = -1;
    double bestWork = Double.POSITIVE_INFINITY;
    double leastWork = Double.POSITIVE_INFINITY;
    for (int size : sizes.descendingSet()) {
      double work = capacity.profiledWorkMs(size, meanQueryItems);
      boolean fast = capacity.profiledUnloadedMs(size, meanQueryItems, workers) <= parameters.seedLatencyShare() * targetP95Ms;
      if (fast && work < bestWork) {
        best = size;
        bestWork = work;
      }
      if (work < leastWork) {
        mostCapacity = size;
        leastWork = work;
      }
    }
    return best > 0 ? best : mostCapacity;
  }

  @Override
  public synchronized String toString() {
    return "deeprecsched(" + phase.name().toLowerCase(Locale.ROOT) + ", batch=" + current.batchSize()
        + ", offloadThreshold=" + current.offloadThreshold() + ", targetP95Ms=" + targetP95Ms + ")";
  }
}

package io.deeprec.sched;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * DeepRecSched, online: hill climbing over the per-request batch size, then over the query-size
 * threshold above which a whole query is offloaded to the accelerator, driven by the p95 latency
 * of windows of completed queries.
 *
 * <p><b>Objective.</b> The paper maximises latency-bounded throughput: the highest load whose p95
 * stays under the target. Online we cannot vary the load, but under a given load the setting with
 * the lowest p95 is the one with the most headroom (it would hold the target up to the highest
 * load), so each step compares the p95 of two settings measured under the same offered load.
 *
 * <p><b>Candidates.</b> Absolute batch sizes (1024 ... 4 by default: an embedding-heavy model such
 * as RMC2 may serve the most items per second in requests of a few items, depending on the
 * machine's caches) and "split a query into k
 * parts" sizes ceil(meanQueryItems / k), k = 1..{@code maxSplitParts}: a 167-item query on two
 * workers wants ~84 items per request, which a grid of powers of two misses. Sizes at or above the
 * largest query seen all behave alike (no split) and collapse into one rung.
 *
 * <p><b>Climbing.</b> Each setting is measured for {@code windowsPerStep} windows after skipping
 * {@code transitionWindows} windows (queries still in flight under the previous setting). From the
 * incumbent the climb first walks toward smaller batches (more splitting), or toward larger ones when
 * it re-explores because the load rose or the target was missed; it keeps a move only
 * when the p95 improves by more than the stable band, walks on through settings within the band
 * (plateaus: several sizes split typical queries identically), and stops at a drop (p95
 * worse than the best by more than the drop band, wider than the stable band, since the p95
 * of a few windows is noisy); once per direction it looks one rung past a drop when that rung
 * has as much capacity as the best (an uneven split can lie between two better sizes). Then it walks the other way from its start, against
 * the best so far. A tie (p95 within the band) goes to the setting with clearly (5%) more capacity
 * (queries/s with every worker busy): measured, where the windows carry the workers' time per
 * query, else by the profile. At a moderate load splitting and whole queries often give the same
 * p95 within noise, and the one with more capacity holds the target to a higher load, which is the
 * objective; the measurement includes per-request costs that the profile's model calls leave out
 * (splits that the profile rated equal to whole queries carried 5-10% less load). Where capacity
 * cannot tell them apart either, the tie goes to the larger batch (fewer requests per query). Near
 * saturation (the load at 75% or more of the smaller measured capacity) measured capacity decides
 * between two settings that both meet or both miss the target, whatever their p95. Settings the profile says could not carry the measured load (above
 * 90% utilisation) are skipped: their backlog would be measured through in every later step. Past saturation (p95 beyond twice the target) the p95 mostly measures the backlog
 * left by the previous setting, so there the completion rate, which is then the setting's
 * capacity, decides; a setting that meets the target beats one that misses it. Then, with an accelerator, the same climb runs over offload thresholds, from "off"
 * toward more offloading. Windows whose applied settings are not the ones asked for (a decision
 * still on its way to the batchers) are ignored.
 *
 * <p><b>Staying online.</b> Once converged the policy holds its choice (no oscillation: nothing
 * changes while the load is stationary) and explores again when the offered load moves by more
 * than {@code loadChangeFraction} from the load the choice was made at, or when the rolling p95
 * exceeds the target and is worse than at convergence by more than the band for a whole watch span
 * ({@code watchWindows} windows in a row); then, the load being the same, from the choice toward
 * larger batches (more capacity), unless the load is near the choice's measured capacity and no
 * other size was measured with clearly more (then the miss is the edge of the LBT, and exploring
 * would only add a backlog). A choice that could not meet
 * the target in the first place is not re-explored for that reason while the load stays (which
 * keeps an overloaded system from exploring forever), but is once the load has fallen by half the
 * load-change fraction and the target is still missed, and once when the load that settled after
 * it still misses and another size was measured with clearly more capacity: the climb compared
 * its settings through each other's backlog.
 *
 * <p><b>Seeding.</b> Given the profiler's batch-size curve (request latency per batch size), the
 * first setting is the one with the most capacity among those that serve a typical query within
 * {@code seedLatencyFraction} of the target; once the load is measured (and on every re-exploration) a rough M/G/c queueing
 * estimate picks the starting batch size for the observed load, so the climb starts near the
 * optimum; it takes each size's work per query as measured by earlier steps where there were any
 * (the profile, scaled by the measured-to-profiled ratio, elsewhere). Without a curve the policy starts from the largest candidate (no splitting: the most
 * capacity, the safe choice under unknown load).
 */
public final class DeepRecSchedPolicy implements BatchPolicy, QuerySizeAware {
  private static final long serialVersionUID = 3L;

  /** Default absolute batch-size candidates. */
  public static final List<Integer> DEFAULT_BATCH_CANDIDATES =
      List.of(1024, 512, 384, 256, 192, 128, 96, 64, 48, 32, 16, 8, 4);
  /** Default offload thresholds to try (query items), when an accelerator is configured. */
  public static final List<Integer> DEFAULT_OFFLOAD_THRESHOLDS = List.of(512, 384, 256, 192, 128, 96);
  /** Default largest k of the "split a query into k parts" candidates. */
  public static final int DEFAULT_MAX_SPLIT_PARTS = 8;
  /**
   * Default stable band: a move is kept only if the p95 improves by more than 20%. The mean p95 of
   * four 64-query windows varies by about 15% between identical settings, so a smaller difference
   * is a tie, which goes to the setting with more capacity.
   */
  public static final double DEFAULT_STABLE_BAND = 0.20;
  /** Default drop band: a p95 more than 30% worse than the best ends a direction. */
  public static final double DEFAULT_DROP_BAND = 0.30;
  /** Default windows measured per setting. */
  public static final int DEFAULT_WINDOWS_PER_STEP = 4;
  /** Default windows skipped after each change. */
  public static final int DEFAULT_TRANSITION_WINDOWS = 1;
  /** Default relative change of the offered load that triggers a new exploration. */
  public static final double DEFAULT_LOAD_CHANGE_FRACTION = 0.25;
  /**
   * Default windows in the rolling load and latency estimate of a converged policy: 8 windows of
   * 64 queries put the standard error of a Poisson rate near 4%, so a 25% change is not noise.
   */
  public static final int DEFAULT_WATCH_WINDOWS = 8;
  /** Default query size assumed before any is observed: the mean of lognormal(5.1, 0.2). */
  public static final double DEFAULT_EXPECTED_QUERY_ITEMS = 167.0;
  /** Default share of the target that a seed request may take when the load is unknown. */
  public static final double DEFAULT_SEED_LATENCY_FRACTION = 0.2;

  private static final double QUERY_SIZE_SMOOTHING = 0.25;
  /** A percentile of an exponential wait is about 3x its mean: p95 = ln(20) = 3.0 means. */
  private static final double P95_WAIT_MULTIPLIER = 3.0;
  private static final double SEED_MAX_UTILISATION = 0.95;
  /** Measured work per query is forgotten when the mean query size moves by more than this share. */
  private static final double WORK_MEMORY_QUERY_DRIFT = 0.10;
  /**
   * The climb skips settings that the profile says would run above this utilisation at the
   * measured load: their p95 would be a backlog, and the backlog would be measured again in every
   * step after them (near the LBT only the settings with the most capacity are worth a step).
   */
  private static final double MAX_EXPLORE_UTILISATION = 0.9;
  /** Climb directions over a ladder ordered largest batch (or no offload) first. */
  private static final int TOWARD_SMALLER = 1;
  private static final int TOWARD_LARGER = -1;

  private enum Phase { BATCH_SIZE, OFFLOAD_THRESHOLD, CONVERGED }

  private final double targetP95Ms;
  private final List<Integer> batchCandidates;
  private final int maxSplitParts;
  private final double stableBand;
  private final double dropBand;
  private final int windowsPerStep;
  private final int transitionWindows;
  private final double loadChangeFraction;
  private final int watchWindows;
  private final List<Integer> offloadThresholds;
  private final boolean hasAccelerator;
  /** Workers serving the model: configured as a seed, then the count the windows report (what really runs). */
  private int workers;
  private final LatencyCurve profile;
  private final double seedLatencyFraction;

  private BatchSettings current;
  private Phase phase = Phase.BATCH_SIZE;
  private Climb climb;
  private int windowsSinceChange;
  /** The windows of the step being measured (or, once converged, of the rolling watch span). */
  private final List<Sample> samples = new ArrayList<>();
  private boolean loadUnknown = true;
  private double exploreLoadQps = Double.NaN;
  private double convergedLoadQps = Double.NaN;
  private double baselineQueries;
  private double baselineSpanMs;
  private int baselineWindows;
  private double convergedP95Ms = Double.NaN;
  /** Consecutive windows whose rolling p95 newly missed the target since converging. */
  private int missedWatches;
  private int explorations = 1;
  /**
   * Whether the choice now held was made while missing the target and has already been explored
   * again once at its settled load: a second miss there is an overload, not a wrong choice.
   */
  private boolean missedChoiceRevisited;
  /**
   * Measured workers' time per query (ms) by batch size, from this and earlier climbs, for the
   * queueing seed: it includes the per-request costs that the profile's model calls leave out.
   */
  private final HashMap<Integer, Double> measuredWorkMsByBatch = new HashMap<>();
  /** The mean query size (items) the measured work was taken at; it is forgotten when sizes move. */
  private double measuredWorkQueryItems = Double.NaN;
  private double meanQueryItems;
  private int maxQueryItems;

  private DeepRecSchedPolicy(Builder b) {
    this.targetP95Ms = b.targetP95Ms;
    this.batchCandidates = List.copyOf(new TreeSet<>(b.batchCandidates).descendingSet());
    this.maxSplitParts = b.maxSplitParts;
    this.stableBand = b.stableBand;
    this.dropBand = b.dropBand();
    this.windowsPerStep = b.windowsPerStep;
    this.transitionWindows = b.transitionWindows;
    this.loadChangeFraction = b.loadChangeFraction;
    this.watchWindows = b.watchWindows;
    this.offloadThresholds = List.copyOf(new TreeSet<>(b.offloadThresholds).descendingSet());
    this.hasAccelerator = b.hasAccelerator;
    this.workers = b.workers;
    this.profile = b.profileMs.isEmpty() ? null : new LatencyCurve(b.profileMs);
    this.seedLatencyFraction = b.seedLatencyFraction;
    this.meanQueryItems = b.expectedQueryItems;
    int initialBatch = b.initialBatchSize > 0 ? b.initialBatchSize : seedWithoutLoad();
    this.current = new BatchSettings(initialBatch, 0, hasAccelerator ? b.initialOffloadThreshold : 0);
    this.climb = newClimb(batchLadder(), current, TOWARD_SMALLER);
  }

  /** A builder for the given p95 latency target (ms); every other setting has a default. */
  public static Builder builder(double targetP95Ms) {
    return new Builder(targetP95Ms);
  }

  @Override
  public String name() {
    return "deeprecsched";
  }

  @Override
  public synchronized BatchSettings settings() {
    return current;
  }

  @Override
  public boolean adaptive() {
    return true;
  }

  /** Whether the climb has finished and the policy holds its choice. */
  public synchronized boolean converged() {
    return phase == Phase.CONVERGED;
  }

  /**
   * Converged, and the windows since then are past the transition out of the last explored
   * setting (its backlog has drained).
   */
  @Override
  public synchronized boolean settled() {
    return phase == Phase.CONVERGED && windowsSinceChange > transitionWindows + 1;
  }

  /** Explorations started so far, the first one included. */
  public synchronized int explorations() {
    return explorations;
  }

  @Override
  public synchronized void observeQuerySizes(double meanItems, int maxItems) {
    if (meanItems >= 1) {
      meanQueryItems += QUERY_SIZE_SMOOTHING * (meanItems - meanQueryItems);
      if (Math.abs(meanQueryItems - measuredWorkQueryItems) > WORK_MEMORY_QUERY_DRIFT * measuredWorkQueryItems) {
        measuredWorkMsByBatch.clear();
        measuredWorkQueryItems = Double.NaN;
      }
    }
    maxQueryItems = Math.max(maxQueryItems, maxItems);
  }

  /** Workers the capacity estimates assume now. */
  synchronized int workers() {
    return workers;
  }

  @Override
  public synchronized BatchSettings observe(WindowObservation window) {
    if (window.queries() == 0 || !current.equals(window.applied())) {
      return current;
    }
    if (window.workers() > 0) {
      workers = window.workers();
    }
    if (windowsSinceChange++ < transitionWindows) {
      return current;
    }
    samples.add(new Sample(window.p95Ms(), window.queries(),
        window.qps() > 0 ? window.queries() * 1000.0 / window.qps() : 0.0, window.workMsPerQuery()));
    if (phase == Phase.CONVERGED) {
      watchConverged();
    } else if (samples.size() >= windowsPerStep) {
      Step step = new Step(meanP95Ms(), measuredQps(), measuredWorkMs());
      clearSteps();
      if (phase == Phase.BATCH_SIZE) {
        rememberWork(current.batchSize(), step.workMs());
      }
      onStepMeasured(step);
    }
    return current;
  }

  private void onStepMeasured(Step step) {
    if (Double.isNaN(exploreLoadQps)) {
      // The load this exploration's choice is made at: measured on its first, settled step.
      exploreLoadQps = step.qps();
    }
    if (loadUnknown) {
      // The first ladder was built before any query size was seen: rebuild it, seeded by the load.
      loadUnknown = false;
      BatchSettings seeded = queueingSeed(step.qps());
      if (seeded != null && seeded.batchSize() != current.batchSize()) {
        climb = newClimb(batchLadderWith(seeded.batchSize()), seeded, TOWARD_SMALLER);
        apply(seeded);
        return;
      }
      climb = newClimb(batchLadder(), current, TOWARD_SMALLER);
    }
    climb.requireCapacity(exploreLoadQps / MAX_EXPLORE_UTILISATION);
    BatchSettings next = climb.onMeasured(step, stableBand, dropBand);
    if (next == null && phase == Phase.BATCH_SIZE && hasAccelerator && !offloadThresholds.isEmpty()) {
      phase = Phase.OFFLOAD_THRESHOLD;
      climb = new Climb(thresholdLadder(climb.best()), null, climb.bestStep(), climb.best(), TOWARD_SMALLER, targetP95Ms,
          workers);
      next = climb.firstMove();
    }
    if (next != null) {
      apply(next);
    } else {
      phase = Phase.CONVERGED;
      convergedP95Ms = climb.bestStep().p95Ms();
      missedWatches = 0;
      convergedLoadQps = Double.NaN;
      baselineQueries = 0;
      baselineSpanMs = 0;
      baselineWindows = 0;
      apply(climb.best());
    }
  }

  /** Holds the choice; explores again when the load moves or the target is newly missed. */
  private void watchConverged() {
    while (samples.size() > watchWindows) {
      samples.remove(0);
    }
    if (samples.size() < watchWindows) {
      return;
    }
    double qps = measuredQps();
    double p95 = meanP95Ms();
    if (Double.isNaN(convergedLoadQps)) {
      // The reference load averages twice the rolling span, so that comparing the two is not noise.
      Sample latest = samples.get(samples.size() - 1);
      baselineQueries += latest.queries();
      baselineSpanMs += latest.spanMs();
      if (++baselineWindows < 2 * watchWindows) {
        return;
      }
      convergedLoadQps = baselineQueries * 1000.0 / baselineSpanMs;
      if (loadChanged(convergedLoadQps, exploreLoadQps)) {
        explore(qps, qps > exploreLoadQps);
      } else if (convergedP95Ms > targetP95Ms && p95 > targetP95Ms && !missedChoiceRevisited
          && anotherSizeHasClearlyMoreCapacity(current.batchSize())) {
        // A choice made while missing the target was made under the load of a backlog (its steps
        // compared settings through the previous ones' queues) and may not be the best at the load
        // that settled: rmc3 chose 128-item requests at 149 queries/s and held them at 119, where
        // they missed and whole queries, with 9% more measured capacity, met. Once per such choice
        // the climb runs again at the settled load, toward more capacity; not when no size was
        // measured with clearly more (then the exploration's backlog is all it would add).
        explore(qps, true);
        missedChoiceRevisited = true;
      }
      return;
    }
    boolean newlyMissed = convergedP95Ms <= targetP95Ms && p95 > targetP95Ms && p95 > convergedP95Ms * (1 + stableBand);
    // Only a miss that lasts a whole watch span: near the LBT the rolling p95 of a choice that holds
    // the target crosses it now and then, and each re-exploration at an unchanged load found the same
    // choice again but built a backlog on the way (dien at 174 q/s: 256 > 1024 > 192 > ... > 256).
    missedWatches = newlyMissed ? missedWatches + 1 : 0;
    boolean targetNewlyMissed = missedWatches >= watchWindows;
    // A choice made while missing the target (under a load it could not carry) is revisited once the
    // load has fallen by half the load-change fraction and the target is still missed: at the lower
    // load another setting may meet it. Bounded: the next baseline is the lower load.
    boolean stillMissedAtLowerLoad = convergedP95Ms > targetP95Ms && p95 > targetP95Ms
        && qps < convergedLoadQps * (1 - loadChangeFraction / 2);
    if (loadChanged(qps, convergedLoadQps) || stillMissedAtLowerLoad) {
      explore(qps, qps > convergedLoadQps);
    } else if (targetNewlyMissed && mayFindMoreCapacityAt(qps)) {
      // The same load as the climb's: the rungs below the incumbent were measured at this load and
      // lost, so the climb starts at the incumbent and looks for more capacity first. Restarting from
      // the queueing seed walked back through the split sizes (dien: 256 > 96 at 217 q/s), whose
      // backlog the next steps were measured through.
      explorations++;
      startClimb(current, TOWARD_LARGER);
    }
  }

  private boolean loadChanged(double qps, double reference) {
    return Math.abs(qps - reference) > loadChangeFraction * reference;
  }

  /**
   * Starts a new climb at the observed load. Under more load (or a missed target) larger batches
   * come first: splitting costs capacity, so the optimum moves toward less splitting, and walking
   * into finer splits first would overload the system while measuring.
   */
  private void explore(double loadQps, boolean needsCapacity) {
    explorations++;
    BatchSettings seeded = queueingSeed(loadQps);
    startClimb(seeded != null ? seeded : current, needsCapacity ? TOWARD_LARGER : TOWARD_SMALLER);
  }

  private void startClimb(BatchSettings start, int firstDirection) {
    phase = Phase.BATCH_SIZE;
    missedChoiceRevisited = false;
    // The trigger's rolling estimate may straddle the change; the first settled step measures it.
    exploreLoadQps = Double.NaN;
    clearSteps();
    climb = newClimb(batchLadderWith(start.batchSize()), start, firstDirection);
    apply(start);
    // Skip a transition even when the start is the incumbent: the backlog of a load step is still draining.
    windowsSinceChange = 0;
  }

  /** Switches to {@code next}; returns whether that is a change (which starts a transition). */
  private boolean apply(BatchSettings next) {
    clearSteps();
    if (next.equals(current)) {
      return false;
    }
    current = next;
    windowsSinceChange = 0;
    return true;
  }

  /** A climb over batch-size rungs, each with its capacity from the profile (NaN without one). */
  private Climb newClimb(List<BatchSettings> ladder, BatchSettings startAt, int firstDirection) {
    double[] capacities = new double[ladder.size()];
    for (int i = 0; i < capacities.length; i++) {
      capacities[i] = capacityQps(ladder.get(i).batchSize());
    }
    return new Climb(ladder, capacities, null, startAt, firstDirection, targetP95Ms, workers);
  }

  /**
   * Queries per second the workers complete when every one is busy with a typical query split at
   * {@code batchSize}, from the profile (measured with all workers busy); NaN without a profile.
   */
  double capacityQps(int batchSize) {
    if (profile == null || workers < 1) {
      return Double.NaN;
    }
    return capacityQps(workers, typicalQueryWorkMs(batchSize));
  }

  /** Worker time (ms) a typical query takes when split at {@code batchSize}, from the profile. */
  private double typicalQueryWorkMs(int batchSize) {
    int items = Math.max(1, (int) Math.round(meanQueryItems));
    int parts = QuerySplitter.requestCount(items, batchSize);
    int lastPart = items - (parts - 1) * batchSize;
    return (parts - 1) * profile.latencyMs(Math.min(batchSize, items)) + profile.latencyMs(lastPart);
  }

  private List<BatchSettings> batchLadder() {
    return batchLadderWith(current.batchSize());
  }

  /**
   * Batch-size rungs, largest first: the absolute candidates, the split-into-k sizes of the mean
   * query, and {@code incumbent}; sizes at or above the largest query seen collapse into one.
   */
  private List<BatchSettings> batchLadderWith(int incumbent) {
    TreeSet<Integer> sizes = candidateSizes(meanQueryItems);
    sizes.add(incumbent);
    if (maxQueryItems > 0) {
      TreeSet<Integer> noSplit = new TreeSet<>(sizes.tailSet(maxQueryItems, true));
      if (noSplit.size() > 1) {
        sizes.removeAll(noSplit);
        sizes.add(noSplit.contains(incumbent) ? incumbent : noSplit.last());
      }
    }
    List<BatchSettings> ladder = new ArrayList<>();
    for (int size : sizes.descendingSet()) {
      ladder.add(new BatchSettings(size, 0, current.offloadThreshold()));
    }
    return ladder;
  }

  /** The absolute candidates and the split-into-k sizes of a query of {@code queryItems} items. */
  private TreeSet<Integer> candidateSizes(double queryItems) {
    TreeSet<Integer> sizes = new TreeSet<>(batchCandidates);
    for (int parts = 1; parts <= maxSplitParts; parts++) {
      sizes.add(Math.min(BatchSettings.MAX_BATCH, Math.max(1, (int) Math.ceil(queryItems / parts))));
    }
    return sizes;
  }

  /** Offload rungs in order of more offloading: off, then thresholds from high to low. */
  private List<BatchSettings> thresholdLadder(BatchSettings base) {
    TreeSet<Integer> thresholds = new TreeSet<>(offloadThresholds);
    thresholds.remove(0);
    List<BatchSettings> ladder = new ArrayList<>();
    ladder.add(new BatchSettings(base.batchSize(), 0, 0));
    if (base.offloadThreshold() > 0) {
      thresholds.add(base.offloadThreshold());
    }
    for (int threshold : thresholds.descendingSet()) {
      ladder.add(new BatchSettings(base.batchSize(), 0, threshold));
    }
    return ladder;
  }

  /**
   * The first batch size before any load is known: with a profile, the size with the most capacity
   * (a typical query's worker time, from the profile measured with every worker busy) among those
   * whose typical query is served within {@code seedLatencyFraction} of the target when unloaded.
   * Under an unknown load the most capacity is the safe start: a start that cannot carry the load
   * builds a backlog that every later step of the climb is measured through. When no size is
   * within that latency, the size with the most capacity. Without a profile, the largest candidate
   * (no splitting).
   */
  private int seedWithoutLoad() {
    if (profile == null) {
      return batchCandidates.get(0);
    }
    int typicalQuery = Math.max(1, (int) Math.round(meanQueryItems));
    TreeSet<Integer> sizes = candidateSizes(typicalQuery);
    int best = -1;
    double leastWorkMs = Double.POSITIVE_INFINITY;
    int mostCapacity = -1;
    double leastWorkAnyMs = Double.POSITIVE_INFINITY;
    for (int size : sizes.descendingSet()) {
      int parts = QuerySplitter.requestCount(typicalQuery, size);
      int rounds = workers < 1 ? 1 : (parts + workers - 1) / workers;
      double unloadedMs = rounds * profile.latencyMs(Math.min(size, typicalQuery));
      double workMs = typicalQueryWorkMs(size);
      // Strictly less work (by a hair) to move: among equals the larger batch, fewer requests.
      if (unloadedMs <= seedLatencyFraction * targetP95Ms && workMs < leastWorkMs * (1 - 1e-6)) {
        best = size;
        leastWorkMs = workMs;
      }
      if (workMs < leastWorkAnyMs * (1 - 1e-6)) {
        mostCapacity = size;
        leastWorkAnyMs = workMs;
      }
    }
    // When no size is that fast (a tight target: mtwnd's 25 ms against ~10 ms per whole query), the
    // most capacity is still the safe start; the smallest batch, which has the least, overloaded
    // every probe near the LBT while the climb walked away from it.
    return best > 0 ? best : mostCapacity;
  }

  /** The rung a queueing estimate favours at {@code qps}, or null without a curve or worker count. */
  private BatchSettings queueingSeed(double qps) {
    if (profile == null || workers < 1 || !(qps > 0)) {
      return null;
    }
    BatchSettings best = null;
    double bestEstimate = Double.POSITIVE_INFINITY;
    for (BatchSettings rung : batchLadder()) {
      double estimate = estimatedP95Ms(rung.batchSize(), qps);
      if (estimate < bestEstimate) {
        bestEstimate = estimate;
        best = rung;
      }
    }
    return best;
  }

  /**
   * A rough p95 of a typical query split at {@code batchSize} on {@code workers} workers at
   * {@code qps}: its unloaded latency (rounds of parallel requests) plus three mean queueing waits
   * from the Sakasegawa M/G/c approximation, with a query occupying min(parts, workers) workers.
   * Past {@value #SEED_MAX_UTILISATION} utilisation the estimate grows with the utilisation, so an
   * overloaded system still ranks the least overloaded setting first. Only a starting point: the
   * climb corrects it with measurements.
   */
  double estimatedP95Ms(int batchSize, double qps) {
    int items = Math.max(1, (int) Math.round(meanQueryItems));
    int parts = QuerySplitter.requestCount(items, batchSize);
    double measuredToProfile = measuredToProfile(batchSize);
    double fullPartMs = profile.latencyMs(Math.min(batchSize, items)) * measuredToProfile;
    double workMs = typicalQueryWorkMs(batchSize) * measuredToProfile;
    double utilisation = qps / 1000.0 * workMs / workers;
    if (utilisation >= SEED_MAX_UTILISATION) {
      return 1e9 * utilisation;
    }
    int rounds = (parts + workers - 1) / workers;
    double unloadedMs = rounds * fullPartMs;
    double occupancyMs = workMs / Math.min(parts, workers);
    double waitMs = occupancyMs * Math.pow(utilisation, Math.sqrt(2.0 * (workers + 1)) - 1) / (workers * (1 - utilisation));
    return unloadedMs + P95_WAIT_MULTIPLIER * waitMs;
  }

  /**
   * Whether exploring again at an unchanged load may find a setting that carries it better: not
   * when the load is near the choice's measured capacity (where the p95 is set by the utilisation)
   * and no other size was measured with clearly more capacity. There a miss is the edge of the LBT
   * or noise, and re-exploring walked only through sizes with less capacity and left a backlog (ncf
   * at 2,128 queries/s, 83% of whole queries' capacity: 1024 > 192 > 167 > 1024 three times in one
   * probe, which then missed the target while a fixed 1024 met it).
   */
  private boolean mayFindMoreCapacityAt(double qps) {
    Double own = measuredWorkMsByBatch.get(current.batchSize());
    if (own == null || measuredWorkMsByBatch.size() < 2 || workers < 1) {
      return true;
    }
    return qps < Climb.CAPACITY_DECIDES_UTILISATION * capacityQps(workers, own) || anotherSizeHasClearlyMoreCapacity(current.batchSize());
  }

  /** Queries per second that {@code workers} busy workers complete at {@code workMsPerQuery} of worker time each. */
  private static double capacityQps(int workers, double workMsPerQuery) {
    return workers * 1000.0 / workMsPerQuery;
  }

  /** Whether a batch size other than {@code batchSize} was measured with clearly (5%) less work per query. */
  private boolean anotherSizeHasClearlyMoreCapacity(int batchSize) {
    Double own = measuredWorkMsByBatch.get(batchSize);
    if (own == null) {
      return false;
    }
    for (Map.Entry<Integer, Double> entry : measuredWorkMsByBatch.entrySet()) {
      if (entry.getKey() != batchSize && entry.getValue() < own * (1 - Climb.CAPACITY_MARGIN)) {
        return true;
      }
    }
    return false;
  }

  /** Records the workers' time per query (ms) measured at {@code batchSize}; NaN (not measured) is ignored. */
  private void rememberWork(int batchSize, double workMs) {
    if (!(workMs > 0) || profile == null) {
      return;
    }
    if (Double.isNaN(measuredWorkQueryItems)) {
      measuredWorkQueryItems = meanQueryItems;
    }
    // The mean with the previous measurement: one step's few windows are noisy by a few percent.
    measuredWorkMsByBatch.merge(batchSize, workMs, (before, now) -> (before + now) / 2);
  }

  /**
   * Measured over profiled work per typical query at {@code batchSize}: its own ratio where it
   * was measured, else the mean ratio of the sizes that were (per-request costs the profile
   * misses apply to all), else 1.
   */
  private double measuredToProfile(int batchSize) {
    Double measured = measuredWorkMsByBatch.get(batchSize);
    if (measured != null) {
      return measured / typicalQueryWorkMs(batchSize);
    }
    if (measuredWorkMsByBatch.isEmpty()) {
      return 1.0;
    }
    double sum = 0;
    for (Map.Entry<Integer, Double> entry : measuredWorkMsByBatch.entrySet()) {
      sum += entry.getValue() / typicalQueryWorkMs(entry.getKey());
    }
    return sum / measuredWorkMsByBatch.size();
  }

  private void clearSteps() {
    samples.clear();
  }

  /** Worker ms per query over the collected windows, weighted by their queries; NaN unless every window measured it. */
  private double measuredWorkMs() {
    double work = 0;
    double queries = 0;
    for (Sample sample : samples) {
      work += sample.workMs() * sample.queries();
      queries += sample.queries();
    }
    return queries > 0 && work > 0 ? work / queries : Double.NaN;
  }

  /** Completed queries per second over the collected windows: a ratio of sums, unbiased by short windows. */
  private double measuredQps() {
    double queries = 0;
    double spanMs = 0;
    for (Sample sample : samples) {
      queries += sample.queries();
      spanMs += sample.spanMs();
    }
    return spanMs > 0 ? queries * 1000.0 / spanMs : 0.0;
  }

  /** The mean of the collected windows' p95s, ms. */
  private double meanP95Ms() {
    double sum = 0;
    for (Sample sample : samples) {
      sum += sample.p95Ms();
    }
    return sum / samples.size();
  }

  /** One feedback window as a step uses it: its p95 (ms), queries, span (ms) and worker ms per query (NaN if not measured). */
  private record Sample(double p95Ms, double queries, double spanMs, double workMs) implements Serializable {}

  @Override
  public synchronized String toString() {
    return "deeprecsched(" + phase.name().toLowerCase() + ", batch=" + current.batchSize()
        + ", offloadThreshold=" + current.offloadThreshold() + ", targetP95Ms=" + targetP95Ms + ")";
  }

  /**
   * One measured setting: the mean window p95 (ms), the completed queries per second and the
   * workers' time per query (ms, NaN when not measured).
   */
  private record Step(double p95Ms, double qps, double workMs) implements Serializable {}

  /**
   * One hill climb over a ladder of settings: measure the start, walk one way while the result does
   * not drop, keep only improvements beyond the band, then walk the other way from the start.
   *
   * <p>Settings are compared on the p95, and one that meets the target beats one that does not.
   * Near saturation (the load at {@value #CAPACITY_DECIDES_UTILISATION} or more of the smaller
   * measured capacity) the one with clearly more measured capacity wins: there the p95 is set by
   * the utilisation, and a step's p95 also carries the backlog the previous step left. Between two
   * whose p95 is beyond twice the target, the one that completes more queries per second wins: a
   * backlog keeps the workers busy, so the completion rate is the setting's capacity.
   *
   * <p>Capacity is measured where the windows carry the workers' time per query (queries/s =
   * workers x 1000 / ms per query: per-request costs included, which the profile's model calls
   * miss), else taken from the profile.
   */
  private static final class Climb implements Serializable {
    private static final long serialVersionUID = 4L;
    /**
     * A p95 beyond this many targets is a backlog rather than slow service: only then is the
     * completion rate compared (below it, the completion rate is the arrival rate plus noise).
     */
    private static final double BACKLOG_TARGETS = 2.0;

    /** A tie is broken for a rung with this much more capacity than the best so far. */
    private static final double CAPACITY_MARGIN = 0.05;
    /** Rungs within this share of the most capacity on the ladder are never skipped for lack of capacity. */
    private static final double SKIP_NEVER_WITHIN = 0.10;
    /**
     * From this utilisation of the smaller of two measured capacities on, capacity decides between
     * two settings that both meet or both miss the target: at 75% a 5% capacity difference moves
     * the M/M/2 queueing wait by ~25%, the p95 of a few windows by as much in noise.
     */
    private static final double CAPACITY_DECIDES_UTILISATION = 0.75;

    private final List<BatchSettings> ladder;
    /** Capacity (queries/s) of each rung, NaN where unknown: breaks ties between equal p95s. */
    private final double[] capacities;
    /** The most capacity of any rung (queries/s), 0 when none is known. */
    private final double mostCapacityQps;
    private final int start;
    private final double targetP95Ms;
    /** Workers serving the model, to turn measured ms per query into queries/s; 0 when unknown. */
    private final int workers;
    private double minCapacityQps;
    private int position;
    private int direction;
    private boolean turned;
    private boolean lookedPastDrop;
    private int bestIndex;
    private Step best;

    /**
     * @param capacities queries/s of each rung, NaN where unknown; null when none is known
     * @param startStep the start's measurement when already known, null to measure it first
     * @param firstDirection +1 to walk down the ladder first (smaller batches, more offloading), -1 up
     */
    Climb(List<BatchSettings> ladder, double[] capacities, Step startStep, BatchSettings startAt, int firstDirection,
        double targetP95Ms, int workers) {
      this.ladder = ladder;
      this.capacities = capacities;
      this.mostCapacityQps = capacities == null ? 0 : Arrays.stream(capacities).filter(c -> !Double.isNaN(c)).max().orElse(0);
      this.direction = firstDirection;
      this.targetP95Ms = targetP95Ms;
      this.workers = workers;
      int index = ladder.indexOf(startAt);
      if (index < 0) {
        throw new IllegalStateException("start " + startAt + " is not a rung of " + ladder);
      }
      this.start = index;
      this.position = index;
      this.bestIndex = index;
      this.best = startStep;
    }

    /** The first setting to measure when the start's result is already known; null if none. */
    BatchSettings firstMove() {
      return best == null ? ladder.get(start) : advance();
    }

    /** Records the result of the setting at the current position; returns the next one, or null when done. */
    BatchSettings onMeasured(Step step, double band, double dropBand) {
      if (best == null) {
        best = step;
        return advance();
      }
      int verdict = compare(step, best, band, dropBand);
      if (verdict > 0 || verdict == 0 && winsTie(step, band)) {
        bestIndex = position;
        best = step;
        return advance();
      }
      if (verdict < 0 && !lookedPastDrop && nextHasAsMuchCapacityAsBest()) {
        // The ladder is not convex: a size that splits a typical query unevenly (wnd: 128 cuts a
        // 167-item query into 128 + 39) can lie between two better ones (96, an even split, and 167,
        // whole queries). Once per direction the walk looks past a drop, toward as much capacity.
        lookedPastDrop = true;
        return advance();
      }
      if (verdict < 0 || lessCapacityThanBest(step)) {
        return turnOrStop();
      }
      return advance();
    }

    /** Whether the rung the walk would step on next has, by the profile, as much capacity as the best (within the margin). */
    private boolean nextHasAsMuchCapacityAsBest() {
      int next = nextPosition();
      return capacities != null && next >= 0 && capacities[next] >= leastCapacityOfATie();
    }

    /**
     * Whether the rung just measured (a tie that did not win) has clearly less capacity than the
     * best by the profile. A walk goes on through ties only toward rungs with as much capacity:
     * near the LBT each further split costs capacity, and the backlog of walking on through them
     * (wnd: 96 > 84 > 64 > 56 > 48 > 42 items at 167 queries/s) was measured as the p95 of the
     * rungs tried after them, which then lost to it.
     */
    private boolean lessCapacityThanBest(Step step) {
      double[] both = comparableCapacities(step);
      return both != null && byCapacity(both[0], both[1]) < 0;
    }

    /**
     * The capacities (queries/s) of {@code step}, at the current position, and of the best so far,
     * measured when both were, else by the profile; null when unknown. Never one of each: the
     * profile's model calls leave out per-request costs that a measurement includes.
     */
    private double[] comparableCapacities(Step step) {
      double here = measuredCapacity(step);
      double incumbent = measuredCapacity(best);
      if (!Double.isNaN(here) && !Double.isNaN(incumbent)) {
        return new double[] {here, incumbent};
      }
      return capacities == null ? null : new double[] {capacities[position], capacities[bestIndex]};
    }

    /**
     * Queries/s the workers complete at {@code step}'s measured time per query; NaN when not
     * measured, and on the offload climb (capacities null), where the CPU's time per query leaves
     * out the accelerator's.
     */
    private double measuredCapacity(Step step) {
      return capacities != null && workers > 0 && step.workMs() > 0 ? capacityQps(workers, step.workMs()) : Double.NaN;
    }

    /** +1 / -1: {@code here} is clearly (by the margin) more / less capacity than {@code there}; 0 otherwise or unknown. */
    private static int byCapacity(double here, double there) {
      if (here > there * (1 + CAPACITY_MARGIN)) {
        return 1;
      }
      return here < there * (1 - CAPACITY_MARGIN) ? -1 : 0;
    }

    /** Capacity (queries/s) below which a rung has clearly less than the best: NaN when unknown. */
    private double leastCapacityOfATie() {
      return capacities[bestIndex] * (1 - CAPACITY_MARGIN);
    }

    /** +1: {@code step} is better than {@code incumbent} beyond the band; -1: worse beyond the drop band; 0: neither. */
    private int compare(Step step, Step incumbent, double band, double dropBand) {
      boolean meets = step.p95Ms() <= targetP95Ms;
      boolean incumbentMeets = incumbent.p95Ms() <= targetP95Ms;
      if (meets != incumbentMeets) {
        return meets ? 1 : -1;
      }
      int byCapacity = compareNearSaturation(step, incumbent);
      if (byCapacity != 0) {
        return byCapacity;
      }
      if (step.p95Ms() > BACKLOG_TARGETS * targetP95Ms && incumbent.p95Ms() > BACKLOG_TARGETS * targetP95Ms
          && incumbent.qps() > 0) {
        if (step.qps() > incumbent.qps() * (1 + band)) {
          return 1;
        }
        if (step.qps() < incumbent.qps() * (1 - band)) {
          return -1;
        }
      }
      if (step.p95Ms() < incumbent.p95Ms() * (1 - band)) {
        return 1;
      }
      return step.p95Ms() > incumbent.p95Ms() * (1 + dropBand) ? -1 : 0;
    }

    /**
     * +1 / -1 when the load is near the smaller measured capacity of the two and one has clearly
     * more; 0 otherwise (or unmeasured). Under a load near its capacity each setting's p95 is set by
     * its utilisation, so the one with more capacity holds the target to a higher load: the LBT.
     */
    private int compareNearSaturation(Step step, Step incumbent) {
      double here = measuredCapacity(step);
      double there = measuredCapacity(incumbent);
      if (Double.isNaN(here) || Double.isNaN(there)) {
        return 0;
      }
      double load = Math.max(step.qps(), incumbent.qps());
      if (load < CAPACITY_DECIDES_UTILISATION * Math.min(here, there)) {
        return 0;
      }
      return byCapacity(here, there);
    }

    /**
     * A tie on the p95 (within the band) at the current load goes to the rung with clearly more
     * capacity (measured, else by the profile): it holds the target up to a higher load, which is what the objective (LBT) asks.
     * At a moderate load, splitting and whole queries often give the same p95 within noise; near
     * the LBT only capacity counts. When the profile cannot tell them apart either, the tie goes to
     * the larger batch: fewer requests per query, and each request costs more than the profile's
     * model call (queueing, hand-off, reassembly, and a query waits for the slowest of its parts);
     * rmc3 split in two measured 115-128 queries/s against 146 for whole queries with the same profiled capacity.
     */
    private boolean winsTie(Step step, double band) {
      double[] both = comparableCapacities(step);
      if (both == null || step.p95Ms() > targetP95Ms || step.p95Ms() > best.p95Ms() * (1 + band)) {
        return false;
      }
      int verdict = byCapacity(both[0], both[1]);
      if (verdict != 0) {
        return verdict > 0;
      }
      return ladder.get(position).batchSize() > ladder.get(bestIndex).batchSize();
    }

    BatchSettings best() {
      return ladder.get(bestIndex);
    }

    Step bestStep() {
      return best;
    }

    /**
     * Rungs with a known capacity below this (queries/s) are not stepped on from now on, except
     * those within {@value #SKIP_NEVER_WITHIN} of the ladder's most capacity: when the load is beyond
     * what the profile says any rung carries (an optimistic or noisy profile), the rungs with the most
     * capacity are exactly the ones to measure.
     */
    void requireCapacity(double qps) {
      double required = qps > 0 ? qps : 0;
      this.minCapacityQps = mostCapacityQps > 0 ? Math.min(required, mostCapacityQps * (1 - SKIP_NEVER_WITHIN)) : required;
    }

    private BatchSettings advance() {
      int next = nextPosition();
      if (next < 0) {
        return turnOrStop();
      }
      position = next;
      return ladder.get(position);
    }

    /** The rung the walk steps on next in its direction (past those lacking capacity), or -1 at the end. */
    private int nextPosition() {
      int next = position + direction;
      while (next >= 0 && next < ladder.size() && capacities != null && capacities[next] < minCapacityQps) {
        next += direction;
      }
      return next >= 0 && next < ladder.size() ? next : -1;
    }

    /**
     * Once per climb the walk turns back to the start and tries the other side, even after an
     * improving walk: the seed can sit on a slope of the wrong basin (splitting when whole queries
     * are better), and the first rung past the start usually settles it at the cost of one step.
     */
    private BatchSettings turnOrStop() {
      if (turned) {
        return null;
      }
      turned = true;
      lookedPastDrop = false;
      direction = -direction;
      position = start;
      return advance();
    }

    @Override
    public String toString() {
      return "climb(" + Arrays.toString(ladder.stream().mapToInt(BatchSettings::batchSize).toArray()) + ")";
    }
  }

  /**
   * Settings of {@link DeepRecSchedPolicy}. Required: the p95 target. Everything else is optional
   * ({@code opt}-style) with the documented defaults; {@link #build()} names any bad setting.
   */
  public static final class Builder {
    private final double targetP95Ms;
    private List<Integer> batchCandidates = DEFAULT_BATCH_CANDIDATES;
    private int maxSplitParts = DEFAULT_MAX_SPLIT_PARTS;
    private double stableBand = DEFAULT_STABLE_BAND;
    private double dropBand = Double.NaN;
    private int windowsPerStep = DEFAULT_WINDOWS_PER_STEP;
    private int transitionWindows = DEFAULT_TRANSITION_WINDOWS;
    private double loadChangeFraction = DEFAULT_LOAD_CHANGE_FRACTION;
    private int watchWindows = DEFAULT_WATCH_WINDOWS;
    private List<Integer> offloadThresholds = DEFAULT_OFFLOAD_THRESHOLDS;
    private boolean hasAccelerator;
    private int initialOffloadThreshold;
    private int workers;
    private Map<Integer, Double> profileMs = Map.of();
    private double seedLatencyFraction = DEFAULT_SEED_LATENCY_FRACTION;
    private double expectedQueryItems = DEFAULT_EXPECTED_QUERY_ITEMS;
    private int initialBatchSize;

    private Builder(double targetP95Ms) {
      this.targetP95Ms = targetP95Ms;
    }

    /** Absolute batch sizes to climb over, each 1..1024 (default 1024, 512, ..., 16, 8, 4). */
    public Builder batchCandidates(List<Integer> value) {
      this.batchCandidates = List.copyOf(value);
      return this;
    }

    /** Largest k of the ceil(meanQueryItems / k) candidates; 0 disables them (default 8). */
    public Builder maxSplitParts(int value) {
      this.maxSplitParts = value;
      return this;
    }

    /** Relative p95 improvement a move must beat to be kept, in [0, 1) (default 0.20). */
    public Builder stableBand(double value) {
      this.stableBand = value;
      return this;
    }

    /**
     * Relative p95 worsening that counts as a drop and ends a direction, >= the stable band
     * (default 0.30, or the stable band if that is set higher). Wider than the band because the
     * p95 of a few 64-query windows is noisy near saturation, and a spurious drop ends the climb early.
     */
    public Builder dropBand(double value) {
      this.dropBand = value;
      return this;
    }

    /** Windows measured per setting, >= 1 (default 4). */
    public Builder windowsPerStep(int value) {
      this.windowsPerStep = value;
      return this;
    }

    /** Windows skipped after each change, >= 0 (default 1). */
    public Builder transitionWindows(int value) {
      this.transitionWindows = value;
      return this;
    }

    /** Relative change of the offered load (qps) that starts a new exploration, > 0 (default 0.25). */
    public Builder loadChangeFraction(double value) {
      this.loadChangeFraction = value;
      return this;
    }

    /** Windows in the rolling load and p95 estimate once converged, >= 1 (default 8). */
    public Builder watchWindows(int value) {
      this.watchWindows = value;
      return this;
    }

    /** Offload thresholds (query items) to try when an accelerator is configured (default 512 ... 96). */
    public Builder offloadThresholds(List<Integer> value) {
      this.offloadThresholds = List.copyOf(value);
      return this;
    }

    /** Whether an accelerator path exists; without one the threshold stays 0 (default false). */
    public Builder hasAccelerator(boolean value) {
      this.hasAccelerator = value;
      return this;
    }

    /** Offload threshold before any measurement; 0 = off (default 0). */
    public Builder initialOffloadThreshold(int value) {
      this.initialOffloadThreshold = value;
      return this;
    }

    /** CPU workers serving the model, for the queueing seed; 0 = unknown (default 0). */
    public Builder workers(int value) {
      this.workers = value;
      return this;
    }

    /** The profiler's curve: request latency (ms) per batch size; empty = none (default none). */
    public Builder profileMs(Map<Integer, Double> value) {
      this.profileMs = Map.copyOf(value);
      return this;
    }

    /** Share of the target a seed request may take when the load is unknown, in (0, 1] (default 0.2). */
    public Builder seedLatencyFraction(double value) {
      this.seedLatencyFraction = value;
      return this;
    }

    /** Mean query size assumed until sizes are observed, >= 1 (default 167). */
    public Builder expectedQueryItems(double value) {
      this.expectedQueryItems = value;
      return this;
    }

    /** First batch size, overriding the seed; 0 = seed it (default 0). */
    public Builder initialBatchSize(int value) {
      this.initialBatchSize = value;
      return this;
    }

    private double dropBand() {
      return Double.isNaN(dropBand) ? Math.max(DEFAULT_DROP_BAND, stableBand) : dropBand;
    }

    public DeepRecSchedPolicy build() {
      String where = "deeprecsched: ";
      if (!(targetP95Ms > 0)) {
        throw new IllegalArgumentException(where + "target p95 must be > 0 ms: " + targetP95Ms);
      }
      if (batchCandidates.isEmpty()) {
        throw new IllegalArgumentException(where + "batchCandidates must not be empty");
      }
      for (int size : batchCandidates) {
        if (size < 1 || size > BatchSettings.MAX_BATCH) {
          throw new IllegalArgumentException(where + "batchCandidates must be in [1, " + BatchSettings.MAX_BATCH + "]: " + size);
        }
      }
      if (maxSplitParts < 0) {
        throw new IllegalArgumentException(where + "maxSplitParts must be >= 0: " + maxSplitParts);
      }
      if (!(stableBand >= 0 && stableBand < 1)) {
        throw new IllegalArgumentException(where + "stableBand must be in [0, 1): " + stableBand);
      }
      if (!(dropBand() >= stableBand)) {
        throw new IllegalArgumentException(where + "dropBand must be >= stableBand (" + stableBand + "): " + dropBand());
      }
      if (windowsPerStep < 1) {
        throw new IllegalArgumentException(where + "windowsPerStep must be >= 1: " + windowsPerStep);
      }
      if (transitionWindows < 0) {
        throw new IllegalArgumentException(where + "transitionWindows must be >= 0: " + transitionWindows);
      }
      if (!(loadChangeFraction > 0)) {
        throw new IllegalArgumentException(where + "loadChangeFraction must be > 0: " + loadChangeFraction);
      }
      if (watchWindows < 1) {
        throw new IllegalArgumentException(where + "watchWindows must be >= 1: " + watchWindows);
      }
      for (int threshold : offloadThresholds) {
        if (threshold < 1 || threshold > BatchSettings.MAX_BATCH) {
          throw new IllegalArgumentException(where + "offloadThresholds must be in [1, " + BatchSettings.MAX_BATCH + "]: " + threshold);
        }
      }
      if (initialOffloadThreshold < 0) {
        throw new IllegalArgumentException(where + "initialOffloadThreshold must be >= 0 (0 = off): " + initialOffloadThreshold);
      }
      if (workers < 0) {
        throw new IllegalArgumentException(where + "workers must be >= 0 (0 = unknown): " + workers);
      }
      if (!(seedLatencyFraction > 0 && seedLatencyFraction <= 1)) {
        throw new IllegalArgumentException(where + "seedLatencyFraction must be in (0, 1]: " + seedLatencyFraction);
      }
      if (!(expectedQueryItems >= 1)) {
        throw new IllegalArgumentException(where + "expectedQueryItems must be >= 1: " + expectedQueryItems);
      }
      if (initialBatchSize < 0 || initialBatchSize > BatchSettings.MAX_BATCH) {
        throw new IllegalArgumentException(where + "initialBatchSize must be in [0, " + BatchSettings.MAX_BATCH + "] (0 = seed): " + initialBatchSize);
      }
      return new DeepRecSchedPolicy(this);
    }
  }
}

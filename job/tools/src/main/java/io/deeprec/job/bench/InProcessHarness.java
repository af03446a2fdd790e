package io.deeprec.job.bench;

import io.deeprec.inference.InferenceWorkers;
import io.deeprec.job.load.ArrivalProcess;
import io.deeprec.job.load.ArrivalSchedule;
import io.deeprec.workload.QuerySizes;
import io.deeprec.model.FeatureBatch;
import io.deeprec.model.FeatureStore;
import io.deeprec.model.ModelSpec;
import io.deeprec.model.RecModel;
import io.deeprec.sched.BatchPolicy;
import io.deeprec.sched.BatchSettings;
import io.deeprec.sched.LatencyStats;
import io.deeprec.sched.QuerySplitter;
import io.deeprec.sched.SplitRule;
import io.deeprec.sched.WindowObservation;
import io.deeprec.sched.sim.RateSchedule;
import io.deeprec.serving.BatchingRules;
import io.deeprec.serving.MetricsWindow;
import io.deeprec.serving.PolicyFeedback;
import io.deeprec.serving.WorkShare;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/**
 * A diagnostic beside the product: serves one model in this JVM with the job's serving core,
 * minus Kafka and Flink, so that the product's latency-bounded throughput can be read against it
 * (the engine's overhead ratio). Open-loop Poisson arrivals, each query cut into requests by the
 * job's {@link BatchingRules} under the policy's current settings, the requests run by the real
 * shared {@link InferenceWorkers} pool on the real DJL model, and a query's latency is the
 * completion of its last request minus its arrival. Arrival times are the scheduled ones, so a
 * generator running late adds to latency instead of hiding it (no coordinated omission).
 *
 * <p>The job's feedback windows ({@link MetricsWindow}, {@value #FEEDBACK_WINDOW_MS} ms by default) feed
 * adaptive policies through the job's {@link PolicyFeedback} rule, with work per query charged by
 * {@link WorkShare}. Measurement windows are by arrival time after a warm-up, so a backlog that
 * builds up shows in the later windows.
 */
public final class InProcessHarness {
  /** Default length of a policy feedback window, ms: the job's default metrics window. */
  static final long FEEDBACK_WINDOW_MS = 1_000;
  /**
   * A measured run is cut short (to save time) when more queries are in flight than this many
   * target-lengths of arrivals, and than {@value #P95_LATE_SHARE} of a window's arrivals.
   */
  private static final double OVERLOAD_TARGETS = 4.0;
  /**
   * The share of a window's queries its p95 lets be late: a backlog below this many of the window's
   * arrivals is a transient the window can absorb, not yet proof that it is lost. Target-lengths
   * alone would cut a 5 ms target's probes short on any 20 ms stall of the machine (34 queries in
   * flight at 1,700 queries/s), whatever the window's p95.
   */
  private static final double P95_LATE_SHARE = 0.05;
  /**
   * During the warm-up an adaptive policy may explore a bad setting and build a backlog that it then
   * drains; only a backlog of this many seconds of arrivals cuts the run short there.
   */
  private static final double WARMUP_OVERLOAD_SECONDS = 5.0;
  /**
   * Adaptive policies get a warm-up of at least this many feedback windows: deeprecsched measures
   * each setting for several windows, so a second of warm-up judges it mid-exploration.
   */
  static final int ADAPTIVE_WARMUP_WINDOWS = 12;
  /**
   * After its minimum warm-up an adaptive policy gets up to this long to settle (finish exploring
   * for the probe's load): a steady load is served by the settings it converges to, so those are
   * measured. A policy still exploring then is measured as it is.
   */
  private static final double MAX_SETTLE_S = 120;
  /**
   * Once settled, the backlog the exploration left drains before measuring: at least this many
   * feedback windows of arrivals, at most {@value #MIN_DRAIN_S} s of them, and then until no more
   * queries are in flight than a system meeting the target holds (Little's law: arrival rate x
   * target), at most {@value #MAX_DRAIN_S} s after settling. Near saturation a backlog drains at
   * only the spare capacity's pace: a fixed drain time measured the exploration's backlog as the
   * settled policy's latency (dien: p50 23 ms under deeprecsched's 256 against 9 ms for a fixed 256
   * at the same rate).
   */
  static final int DRAIN_WINDOWS = 16;
  private static final double MIN_DRAIN_S = 10;
  private static final double MAX_DRAIN_S = 40;
  private static final long DRAIN_TIMEOUT_NANOS = 120_000_000_000L;
  /**
   * Bytes of pre-drawn features that requests are sliced from. Requests must touch embedding rows
   * the way random candidate items do: slicing every request from the start of a couple of pooled
   * batches (as this harness first did) reused the same few rows, kept them in cache and favoured
   * small batches of embedding-heavy models (rmc1 at 32 items touched 64 items' rows in total).
   */
  private static final long POOL_BYTES = 96L << 20;
  private static final int MIN_POOL_ITEMS = 2 * BatchSettings.MAX_BATCH;
  private static final int MAX_POOL_ITEMS = 32 * BatchSettings.MAX_BATCH;

  private final RecModel model;
  private final InferenceWorkers workers;
  private final QuerySizes sizes;
  private final FeatureBatch pool;
  private final int poolItems;
  private final int denseDim;
  private final int sparsePerItem;

  /**
   * How one run is measured.
   *
   * @param targetP95Ms the latency bound each window must meet
   * @param warmupS seconds of load before measuring (adaptive policies converge meanwhile)
   * @param windowS length of one measured window, seconds (stretched to hold {@code minWindowQueries})
   * @param windows consecutive measured windows that must all meet the target
   * @param minWindowQueries fewest expected arrivals per window (a p95 of fewer is noise)
   * @param seed seed of arrivals, sizes and inputs
   * @param keepLatencies keep every measured latency (for CDF charts)
   * @param steadyStateWarmup a policy that does not adapt warms up as long as an adaptive one that
   *     is settled from the start (the adaptive minimum warm-up, then the drain), so that both are
   *     measured with the queue at its steady state: from an empty system the queue near
   *     saturation takes seconds to fill (rmc3 at 90% utilisation), and a fixed size measured from
   *     the first second read a lower p95 than the same size under deeprecsched measured later
   */
  public record Plan(double targetP95Ms, double warmupS, double windowS, int windows, int minWindowQueries, long seed,
      boolean keepLatencies, boolean steadyStateWarmup, long feedbackWindowMs) {
    public Plan {
      if (!(targetP95Ms > 0) || warmupS < 0 || !(windowS > 0) || windows < 1 || minWindowQueries < 1
          || feedbackWindowMs < 1) {
        throw new IllegalArgumentException("bad measurement plan: " + this);
      }
    }

    /** A plan with the job's default feedback window. */
    public Plan(double targetP95Ms, double warmupS, double windowS, int windows, int minWindowQueries, long seed,
        boolean keepLatencies, boolean steadyStateWarmup) {
      this(targetP95Ms, warmupS, windowS, windows, minWindowQueries, seed, keepLatencies, steadyStateWarmup,
          FEEDBACK_WINDOW_MS);
    }

    /** The same plan with feedback windows of {@code ms} (the job's {@code deeprec.metrics.window}). */
    public Plan withFeedbackWindowMs(long ms) {
      return new Plan(targetP95Ms, warmupS, windowS, windows, minWindowQueries, seed, keepLatencies, steadyStateWarmup, ms);
    }

    /** A plan whose non-adaptive policies are measured after {@code warmupS} alone. */
    public Plan(double targetP95Ms, double warmupS, double windowS, int windows, int minWindowQueries, long seed,
        boolean keepLatencies) {
      this(targetP95Ms, warmupS, windowS, windows, minWindowQueries, seed, keepLatencies, false);
    }

    /** The same plan with other arrivals, sizes and inputs. */
    Plan withSeed(long otherSeed) {
      return new Plan(targetP95Ms, warmupS, windowS, windows, minWindowQueries, otherSeed, keepLatencies, steadyStateWarmup,
          feedbackWindowMs);
    }

    /** The same plan with every policy measured at its steady state (see {@code steadyStateWarmup}). */
    Plan withSteadyStateWarmup() {
      return new Plan(targetP95Ms, warmupS, windowS, windows, minWindowQueries, seed, keepLatencies, true, feedbackWindowMs);
    }

    /** Stretched to hold {@code minWindowQueries} arrivals, but never past {@value #MAX_WINDOW_STRETCH}x. */
    double windowSecondsAt(double qps) {
      return Math.max(windowS, Math.min(minWindowQueries / qps, MAX_WINDOW_STRETCH * windowS));
    }

    private static final double MAX_WINDOW_STRETCH = 6;
  }

  public InProcessHarness(RecModel model, InferenceWorkers workers, QuerySizes sizes, long seed) {
    this.model = model;
    this.workers = workers;
    this.sizes = sizes;
    ModelSpec spec = model.spec();
    this.denseDim = spec.denseDim();
    this.sparsePerItem = spec.sparseIdsPerItem();
    this.poolItems = poolItems(spec);
    this.pool = FeatureStore.randomBatch(spec, poolItems, new SplittableRandom(seed));
  }

  /** Items in the feature pool: {@value #POOL_BYTES} bytes of features, within [2048, 32768] items. */
  static int poolItems(ModelSpec spec) {
    long bytesPerItem = 4L * (spec.sparseIdsPerItem() + spec.denseDim());
    return (int) Math.max(MIN_POOL_ITEMS, Math.min(MAX_POOL_ITEMS, POOL_BYTES / Math.max(1, bytesPerItem)));
  }

  /**
   * Features for one request of {@code items} items: a slice at a random offset of a pool drawn up
   * front (drawing hundreds of ids per item at the offered rate would compete with the workers for
   * the same cores), so consecutive requests gather different embedding rows, as random candidates do.
   */
  FeatureBatch inputs(int items, SplittableRandom random) {
    int from = random.nextInt(poolItems - items + 1);
    return new FeatureBatch(items, Arrays.copyOfRange(pool.dense(), from * denseDim, (from + items) * denseDim),
        Arrays.copyOfRange(pool.sparse(), from * sparsePerItem, (from + items) * sparsePerItem));
  }

  public RecModel model() {
    return model;
  }

  public InferenceWorkers workers() {
    return workers;
  }

  /** One run at a constant rate, queries cut by the job's default {@link SplitRule}. */
  public Probe probe(BatchPolicy policy, double qps, Plan plan) {
    return probe(policy, SplitRule.DEFAULT, qps, plan);
  }

  /** One run at a constant rate, queries cut by {@code split} (the job's {@code deeprec.batch.split}). */
  public Probe probe(BatchPolicy policy, SplitRule split, double qps, Plan plan) {
    return new Run(policy, split, RateSchedule.constant(qps), qps, plan).execute();
  }

  /**
   * One run under a rate schedule; measured windows follow the warm-up.
   *
   * @param nominalQps the rate the probe is reported under (the schedule's for a constant one)
   */
  public Probe run(BatchPolicy policy, RateSchedule rates, double nominalQps, Plan plan) {
    return new Run(policy, SplitRule.DEFAULT, rates, nominalQps, plan).execute();
  }

  /** Seconds of arrivals in flight that cut a measured window short: see {@link #P95_LATE_SHARE}. */
  static double measuredOverloadSeconds(double targetP95Ms, double windowS) {
    return Math.max(OVERLOAD_TARGETS * targetP95Ms / 1000, P95_LATE_SHARE * windowS);
  }

  /**
   * Whether the backlog of a measured arrival proves its window lost, so the probe is cut short:
   * more queries in flight than {@link #measuredOverloadSeconds} of arrivals at the offered rate (at
   * least 1 query/s), and than four per worker. Pure: no clock, no state.
   *
   * @param inFlight queries arrived and not yet completed, this one included
   * @param offeredQps the schedule's rate when the query arrived
   * @param targetP95Ms the plan's target
   * @param windowS the measured window's length, seconds (after {@link Plan#windowSecondsAt})
   * @param workerCount workers serving the probe
   */
  static boolean measuredWindowLost(int inFlight, double offeredQps, double targetP95Ms, double windowS,
      int workerCount) {
    return backlogCutsShort(inFlight, offeredQps, measuredOverloadSeconds(targetP95Ms, windowS), workerCount);
  }

  /**
   * Whether the backlog of a warm-up arrival cuts the probe short: more queries in flight than
   * {@value #WARMUP_OVERLOAD_SECONDS} s of arrivals at the offered rate (at least 1 query/s), and than
   * four per worker. Pure: no clock, no state.
   */
  static boolean warmupLost(int inFlight, double offeredQps, int workerCount) {
    return backlogCutsShort(inFlight, offeredQps, WARMUP_OVERLOAD_SECONDS, workerCount);
  }

  private static boolean backlogCutsShort(int inFlight, double offeredQps, double allowedS, int workerCount) {
    return inFlight > Math.max(4 * workerCount, Math.max(offeredQps, 1.0) * allowedS);
  }

  /**
   * Where a run's warm-up ends and its measured windows begin, decided arrival by arrival in
   * scheduled time (ms since the run's start), without a clock: a policy that does not wait for its
   * steady state is measured from the first arrival due at the plan's warm-up; one that waits (an
   * adaptive policy, or any policy under a steady-state plan) from the first arrival after it that
   * finds the policy settled for the drain time and no more queries in flight than a system meeting
   * the target holds, or settled for {@value InProcessHarness#MAX_DRAIN_S} s, or
   * {@value InProcessHarness#MAX_SETTLE_S} s past the minimum warm-up. The measured windows follow
   * that arrival back to back.
   */
  static final class Warmup {
    /** Whether measuring waits for a settled policy and a drained queue (adaptive policies, or a steady-state plan). */
    private final boolean waitsForSteadyState;
    private final double minWarmupMs;
    private final double maxWarmupMs;
    private final double drainMs;
    /** Queries in flight at or below which an exploration's backlog counts as drained. */
    private final double drainedInFlight;
    private final double windowMs;
    private final int windows;
    /** Warm-up end: it moves later while the policy is not yet settled or the queue not yet drained. */
    private double warmupMs;
    private boolean measuring;
    private double settledAtMs = Double.NaN;

    /**
     * @param plan the run's plan
     * @param adaptivePolicy whether the policy adapts ({@link BatchPolicy#adaptive})
     * @param nominalQps the rate the run is measured at
     * @param workerCount workers serving the run
     */
    Warmup(Plan plan, boolean adaptivePolicy, double nominalQps, int workerCount) {
      this.waitsForSteadyState = adaptivePolicy || plan.steadyStateWarmup();
      double adaptiveWarmupS = waitsForSteadyState ? ADAPTIVE_WARMUP_WINDOWS * plan.feedbackWindowMs() / 1000.0 : 0;
      this.minWarmupMs = Math.max(plan.warmupS(), adaptiveWarmupS) * 1000;
      this.maxWarmupMs = waitsForSteadyState ? minWarmupMs + MAX_SETTLE_S * 1000 : minWarmupMs;
      this.warmupMs = minWarmupMs;
      this.drainMs = Math.min(MIN_DRAIN_S, DRAIN_WINDOWS * plan.feedbackWindowMs() / 1000.0) * 1000;
      this.drainedInFlight = Math.max(workerCount, nominalQps * plan.targetP95Ms() / 1000);
      this.windowMs = plan.windowSecondsAt(nominalQps) * 1000;
      this.windows = plan.windows();
    }

    /**
     * Takes the next arrival, in order, and says where it belongs.
     *
     * @param dueMs when the arrival is due, ms after the run's start
     * @param settled whether the policy is settled now; asked only once the minimum warm-up is over
     *     and until measuring starts
     * @param inFlight queries in flight now (the arrival not included); asked only when the drain
     *     time has passed
     * @return the measured window the arrival belongs to, or -1 for the warm-up
     */
    int windowOf(double dueMs, BooleanSupplier settled, IntSupplier inFlight) {
      if (!measuring && dueMs >= minWarmupMs) {
        boolean settledNow = settled.getAsBoolean();
        if (!settledNow) {
          settledAtMs = Double.NaN;
        } else if (Double.isNaN(settledAtMs)) {
          settledAtMs = dueMs;
        }
        double sinceSettledMs = dueMs - settledAtMs;
        boolean drained = sinceSettledMs >= drainMs && inFlight.getAsInt() <= drainedInFlight
            || sinceSettledMs >= MAX_DRAIN_S * 1000;
        measuring = !waitsForSteadyState || settledNow && drained || dueMs >= maxWarmupMs;
        // Until then this arrival belongs to the warm-up, and the measured windows start after it.
        warmupMs = measuring ? dueMs : dueMs + windowMs;
      }
      return dueMs < warmupMs ? -1 : (int) Math.min(windows - 1, (dueMs - warmupMs) / windowMs);
    }

    /** Whether the measured windows have begun. */
    boolean measuring() {
      return measuring;
    }

    /** Where the warm-up ends as decided so far, ms after the run's start: where measuring began, once it has. */
    double warmupMs() {
      return warmupMs;
    }

    /** Where the run ends as decided so far, ms after its start: the warm-up, then the plan's windows. */
    double totalMs() {
      return warmupMs + windows * windowMs;
    }

    /** One measured window's length, ms (the plan's, stretched for the rate). */
    double windowMs() {
      return windowMs;
    }
  }

  private static final class Query {
    final long arrivalNanos;
    final int items;
    final int window;
    /** The settings it was batched under. */
    final BatchSettings settings;
    final AtomicInteger openParts = new AtomicInteger();
    final DoubleAdder workMs = new DoubleAdder();

    Query(long arrivalNanos, int items, int window, BatchSettings settings) {
      this.arrivalNanos = arrivalNanos;
      this.items = items;
      this.window = window;
      this.settings = settings;
    }
  }

  private static final class OpenRequest {
    final BatchSettings settings;
    final List<Query> members = new ArrayList<>(4);
    final List<Integer> pieceItems = new ArrayList<>(4);
    final long deadlineNanos;
    int items;

    OpenRequest(BatchSettings settings, long deadlineNanos) {
      this.settings = settings;
      this.deadlineNanos = deadlineNanos;
    }
  }

  private final class Run {
    private final BatchPolicy policy;
    private final SplitRule split;
    private final RateSchedule rates;
    private final double nominalQps;
    private final Plan plan;
    /** Where the warm-up ends and the measured windows begin. */
    private final Warmup warmup;
    private final double windowMs;
    private final SplittableRandom random;
    private final LatencyStats[] windowStats;
    private final LatencyStats overall = new LatencyStats();
    private final double[] latencies;
    private final AtomicInteger kept = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong failures = new AtomicLong();
    private final Object feedbackLock = new Object();
    /** The job's control-loop rule around the policy. */
    private final PolicyFeedback feedback;
    /** The current feedback window (the job's window definition), null before the first completion. */
    private MetricsWindow feedbackWindow;
    /** Worker time charged to measured queries, ms. */
    private final DoubleAdder measuredWorkMs = new DoubleAdder();
    private final List<Probe.TracePoint> trace = new ArrayList<>();
    private volatile BatchSettings current;
    private long measuredRequests;
    private long measuredItems;
    private long startNanos;

    Run(BatchPolicy policy, SplitRule split, RateSchedule rates, double nominalQps, Plan plan) {
      this.policy = policy;
      this.split = split;
      this.rates = rates;
      this.nominalQps = nominalQps;
      this.plan = plan;
      this.warmup = new Warmup(plan, policy.adaptive(), nominalQps, workers.workerCount());
      this.windowMs = warmup.windowMs();
      double totalMs = warmup.totalMs();
      this.random = new SplittableRandom(plan.seed());
      this.windowStats = new LatencyStats[plan.windows()];
      for (int i = 0; i < windowStats.length; i++) {
        windowStats[i] = new LatencyStats();
      }
      this.latencies = plan.keepLatencies() ? new double[(int) Math.min(2_000_000, nominalQps * totalMs / 1000 * 1.5 + 100)]
          : new double[0];
      this.current = policy.settings();
      this.feedback = new PolicyFeedback(policy);
    }

    Probe execute() {
      ArrivalSchedule arrivals = new ArrivalSchedule(rates, ArrivalProcess.POISSON, plan.seed());
      startNanos = System.nanoTime();
      OpenRequest open = null;
      long sent = 0;
      boolean overloaded = false;
      // A policy that does not adapt is settled from the start.
      BooleanSupplier settled = () -> !policy.adaptive() || policy.settled();
      IntSupplier queriesInFlight = inFlight::get;
      double dueMs = arrivals.nextDueMs();
      while (dueMs < warmup.totalMs()) {
        long dueNanos = startNanos + (long) (dueMs * 1e6);
        if (open != null && open.deadlineNanos < dueNanos) {
          parkUntil(open.deadlineNanos);
          submit(open);
          open = null;
          continue;
        }
        parkUntil(dueNanos);
        int window = warmup.windowOf(dueMs, settled, queriesInFlight);
        BatchSettings settings = current;
        // No accelerator here: the offload threshold is ignored.
        BatchSettings batching = new BatchSettings(settings.batchSize(), settings.maxQueueDelayMs(), 0);
        Query query = new Query(dueNanos, sizes.next(random), window, settings);
        BatchingRules.Admission admission = BatchingRules.admit(query.items, open == null ? 0 : open.items,
            open == null ? null : open.settings, batching, split);
        if (admission.releaseOpenFirst()) {
          submit(open);
          open = null;
        }
        query.openParts.set(admission.pieces().size());
        inFlight.incrementAndGet();
        for (QuerySplitter.Piece piece : admission.pieces()) {
          if (open == null) {
            open = new OpenRequest(batching,
                System.nanoTime() + Math.round(BatchingRules.releaseDueMs(0, batching) * 1_000_000L));
          }
          open.members.add(query);
          open.pieceItems.add(piece.length());
          open.items += piece.length();
          if (window >= 0) {
            measuredItems += piece.length();
          }
          if (piece.closesRequest()) {
            if (window >= 0) {
              measuredRequests++;
            }
            submit(open);
            open = null;
          }
        }
        sent++;
        double offered = rates.qpsAt(dueMs);
        if (window < 0 ? warmupLost(inFlight.get(), offered, workers.workerCount())
            : measuredWindowLost(inFlight.get(), offered, plan.targetP95Ms(), windowMs / 1000, workers.workerCount())) {
          overloaded = true;
          break;
        }
        dueMs = arrivals.nextDueMs();
      }
      if (open != null) {
        if (open.members.get(open.members.size() - 1).window >= 0) {
          measuredRequests++;
        }
        submit(open);
      }
      double sentSeconds = (System.nanoTime() - startNanos) / 1e9;
      long drainDeadline = System.nanoTime() + DRAIN_TIMEOUT_NANOS;
      while (inFlight.get() > 0 && System.nanoTime() < drainDeadline) {
        LockSupport.parkNanos(2_000_000L);
      }
      return result(sent / Math.max(sentSeconds, 1e-9), overloaded || inFlight.get() > 0 || failures.get() > 0);
    }

    private Probe result(double sentQps, boolean cutShort) {
      List<Double> windowP95 = new ArrayList<>();
      boolean feasible = !cutShort;
      synchronized (overall) {
        for (LatencyStats w : windowStats) {
          windowP95.add(w.count() == 0 ? Double.NaN : w.percentile(95));
          feasible &= w.count() > 0 && w.percentile(95) <= plan.targetP95Ms();
        }
        double[] kept = Arrays.copyOf(latencies, Math.min(latencies.length, this.kept.get()));
        List<Probe.TracePoint> traceCopy;
        synchronized (feedbackLock) {
          traceCopy = List.copyOf(trace);
        }
        return new Probe(nominalQps, sentQps, overall.count(), windowP95, overall.percentile(50), overall.percentile(95),
            overall.percentile(99), measuredRequests == 0 ? 0 : (double) measuredItems / measuredRequests,
            overall.count() == 0 ? Double.NaN : measuredWorkMs.sum() / overall.count(), current, feasible, cutShort, kept,
            traceCopy, List.of(), 0, "", Double.NaN, -1, Double.NaN);
      }
    }

    private void submit(OpenRequest request) {
      FeatureBatch batch = inputs(request.items, random);
      List<Query> members = request.members;
      workers.submit(model, batch).whenComplete((scored, error) -> {
        if (error != null) {
          failures.incrementAndGet();
        }
        for (int i = 0; i < members.size(); i++) {
          Query member = members.get(i);
          if (error == null) {
            // Before the member completes: its window counts the work of its last request too.
            member.workMs.add(WorkShare.ms(scored.workMs(), request.pieceItems.get(i), request.items));
          }
          if (member.openParts.decrementAndGet() == 0) {
            complete(member);
          }
        }
      });
    }

    private void complete(Query query) {
      long now = System.nanoTime();
      double latencyMs = (now - query.arrivalNanos) / 1e6;
      double workMs = query.workMs.sum();
      if (query.window >= 0) {
        measuredWorkMs.add(workMs);
        synchronized (overall) {
          windowStats[query.window].record(latencyMs);
          overall.record(latencyMs);
          int slot = kept.getAndIncrement();
          if (slot < latencies.length) {
            latencies[slot] = latencyMs;
          }
        }
      }
      synchronized (feedbackLock) {
        long sinceStartMs = (now - startNanos) / 1_000_000L;
        if (feedbackWindow != null && sinceStartMs >= feedbackWindow.endMs()) {
          closeFeedbackWindow();
        }
        if (feedbackWindow == null) {
          feedbackWindow = MetricsWindow.containing(sinceStartMs, plan.feedbackWindowMs());
        }
        feedbackWindow.record(MetricsWindow.Outcome.OK, latencyMs, query.items, workMs, false, query.settings,
            "in-process", workers.workerCount(), workers.queueDepth());
      }
      inFlight.decrementAndGet();
    }

    /** A window ended (noticed at the first completion after it): the policy sees it through the job's rule. */
    private void closeFeedbackWindow() {
      MetricsWindow closed = feedbackWindow;
      feedbackWindow = null;
      WindowObservation observation = closed.observation();
      trace.add(new Probe.TracePoint(closed.endMs() / 1000.0, rates.qpsAt(closed.endMs()), observation.p95Ms(),
          current.batchSize()));
      PolicyFeedback.Step step = feedback.onWindow(observation, closed.mixedSettings(), closed.meanQueryItems(),
          closed.maxQueryItems());
      if (step.settings() != null) {
        current = step.settings();
      }
    }
  }

  private static void parkUntil(long deadlineNanos) {
    long wait;
    while ((wait = deadlineNanos - System.nanoTime()) > 0) {
      LockSupport.parkNanos(wait);
    }
  }
}

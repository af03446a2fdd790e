package io.deeprec.sched.sim;

import io.deeprec.sched.BatchPolicy;
import io.deeprec.sched.BatchSettings;
import io.deeprec.sched.LatencyStats;
import io.deeprec.sched.QuerySplitter;
import io.deeprec.sched.SplitRule;
import io.deeprec.sched.WindowObservation;
import io.deeprec.serving.BatchingRules;
import io.deeprec.serving.MetricsWindow;
import io.deeprec.serving.PolicyFeedback;
import io.deeprec.serving.WorkShare;
import io.deeprec.workload.QuerySizes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * Discrete-event model of one model's serving path, to test batch policies in milliseconds of CPU
 * instead of minutes of wall clock. Deterministic for a seed.
 *
 * <ul>
 *   <li>Arrivals: open-loop Poisson (exponential gaps) at the {@link RateSchedule}'s rate; sizes
 *       from a {@link QuerySizes} (DeepRecInfra's lognormal by default).
 *   <li>Batching: each query is cut by the policy's current settings with the job's
 *       {@link BatchingRules} and a {@link SplitRule}: without merging every piece is a request at
 *       once; with merging the open request is released when full or when its first item has
 *       waited {@code maxQueueDelayMs}. A settings change releases the open request.
 *   <li>CPU: {@code workers} identical single-threaded workers pull requests from one shared FIFO
 *       (work-conserving: an idle worker takes the next request), service time from a
 *       {@link ServiceTimeModel}, optionally with lognormal noise.
 *   <li>Stalls (optional): pauses of the whole serving process (a JVM's stop-the-world collection, a
 *       checkpoint's barrier): Poisson in time, exponential in length. During one no request starts or
 *       progresses, so every request in flight finishes that much later; arrivals go on.
 *   <li>Cold start (optional): service times start {@code factor} times slower and approach the
 *       model's exponentially (a JVM compiling its hot paths after a start).
 *   <li>Accelerator (optional): queries with N >= the offload threshold go whole to one server that
 *       runs one query at a time from its own FIFO. Without an accelerator the threshold is
 *       ignored.
 *   <li>Latency of a query: completion of its last request - arrival.
 *   <li>Feedback: the job's windows ({@link MetricsWindow}, aligned processing-time windows of
 *       {@code windowMs}, default 1 s) go to the policy through the job's {@link PolicyFeedback}
 *       rule, so a window served under older or mixed settings teaches it nothing. Returned
 *       settings apply to queries arriving afterwards (the job's two Kafka hops are left out).
 *       Work per query is charged by {@link WorkShare}, as the job's reassembler does.
 * </ul>
 */
public final class ServingSimulator {
  private final int workers;
  private final ServiceTimeModel cpuService;
  private final ServiceTimeModel acceleratorService;
  private final QuerySizes querySizes;
  private final RateSchedule rate;
  private final int warmupQueries;
  private final int measuredQueries;
  private final long windowMs;
  private final double serviceNoiseSigma;
  private final double stallEveryMs;
  private final double stallMeanMs;
  private final double coldStartFactor;
  private final double coldStartTimeConstantMs;
  private final SplitRule split;
  private final long seed;

  private ServingSimulator(Builder b) {
    this.workers = b.workers;
    this.cpuService = b.cpuService;
    this.acceleratorService = b.acceleratorService;
    this.querySizes = b.querySizes;
    this.rate = b.rate;
    this.warmupQueries = b.warmupQueries;
    this.measuredQueries = b.measuredQueries;
    this.windowMs = b.windowMs;
    this.serviceNoiseSigma = b.serviceNoiseSigma;
    this.stallEveryMs = b.stallEveryMs;
    this.stallMeanMs = b.stallMeanMs;
    this.coldStartFactor = b.coldStartFactor;
    this.coldStartTimeConstantMs = b.coldStartTimeConstantMs;
    this.split = b.split;
    this.seed = b.seed;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this simulator's settings, to vary one of them. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.workers = workers;
    b.cpuService = cpuService;
    b.acceleratorService = acceleratorService;
    b.querySizes = querySizes;
    b.rate = rate;
    b.warmupQueries = warmupQueries;
    b.measuredQueries = measuredQueries;
    b.windowMs = windowMs;
    b.serviceNoiseSigma = serviceNoiseSigma;
    b.stallEveryMs = stallEveryMs;
    b.stallMeanMs = stallMeanMs;
    b.coldStartFactor = coldStartFactor;
    b.coldStartTimeConstantMs = coldStartTimeConstantMs;
    b.split = split;
    b.seed = seed;
    return b;
  }

  /** The same simulator at a constant offered load of {@code qps}. */
  public ServingSimulator withRate(double qps) {
    return toBuilder().rate(RateSchedule.constant(qps)).build();
  }

  public int workers() {
    return workers;
  }

  public ServiceTimeModel cpuService() {
    return cpuService;
  }

  /** Runs {@code policy} (which it mutates, if adaptive) on a fresh, seeded workload. */
  public SimulationResult run(BatchPolicy policy) {
    return new Run(policy).execute();
  }

  /**
   * A run that goes on from probe to probe, as the product's benchmark keeps one job, and its policy, through the
   * probes of a search: the load a probe leaves behind, and what the policy learnt, meet the next one. The
   * simulator's own rate and query counts do not apply.
   */
  public Session session(BatchPolicy policy, ProbePlan plan) {
    return new Session(policy, plan);
  }

  /**
   * How a probe runs, as the product's benchmark probes (FlinkKafkaPath): an unmeasured warm-up at the rate (see
   * {@link Warmup}); then {@code measureMs} of measured arrivals; then no load until every measured query is
   * answered (at most {@code drainTimeoutMs}, or the probe misses).
   *
   * @param warmupMs the shortest warm-up
   * @param measureMs the measured span
   * @param minAdaptiveWarmupMs an adaptive policy's shortest warm-up
   * @param quietMs a policy that settles has held its choice and changed nothing for this long
   * @param maxWarmupMs the longest warm-up, whatever the policy or the backlog
   * @param backlogDrainMs how much longer a warm-up waits for its backlog to drain; 0: never
   * @param drainTimeoutMs how long the measured queries may take to be answered after the measured span
   */
  public record ProbePlan(double warmupMs, double measureMs, double minAdaptiveWarmupMs, double quietMs,
      double maxWarmupMs, double backlogDrainMs, double drainTimeoutMs) {
    /** The product benchmark's: 5 s of warm-up and up to 30 s more while a backlog drains, 3 windows of 5 s. */
    public static final ProbePlan PRODUCT = new ProbePlan(5_000, 15_000, 10_000, 10_000, 150_000, 30_000, 60_000);

    public ProbePlan {
      if (!(warmupMs >= 0 && measureMs > 0 && minAdaptiveWarmupMs >= 0 && quietMs >= 0 && maxWarmupMs >= warmupMs
          && backlogDrainMs >= 0 && drainTimeoutMs > 0)) {
        throw new IllegalArgumentException("a probe plan needs non-negative warm-ups no longer than its cap and a"
            + " positive measured span and drain: " + this);
      }
    }

    /** The same plan with its shortest warm-up and its wait for a backlog replaced. */
    public ProbePlan withWarmup(double warmupMs, double backlogDrainMs) {
      return new ProbePlan(warmupMs, measureMs, minAdaptiveWarmupMs, quietMs, maxWarmupMs, backlogDrainMs,
          drainTimeoutMs);
    }

    /** The warm-up of one probe at {@code qps}, judged against {@code targetMs}. */
    public Warmup warmup(boolean adaptive, boolean settles, double qps, double targetMs) {
      return new Warmup(this, adaptive, settles, qps, targetMs);
    }
  }

  /**
   * When a probe's warm-up ends: after its shortest length ({@code warmupMs}, an adaptive policy's at least
   * {@code minAdaptiveWarmupMs}) and, for a policy that settles, once it holds its choice and has changed nothing
   * for {@code quietMs}. Then, while the warm-up's queries not yet answered are more than the rate keeps in flight
   * at the target (rate x target, Little's law) and fewer than at the check before, it goes on for up to
   * {@code backlogDrainMs}: a backlog left by the probe before (its drain, an overload) or by a stall is the
   * transition, not the rate, and measured queries that start behind it judge the transition. A backlog that does
   * not shrink is the rate's own and ends the warm-up at once. Never longer than {@code maxWarmupMs}. The product's
   * benchmark and the simulator's sessions both ask this, between chunks of load.
   */
  public static final class Warmup {
    private final ProbePlan plan;
    private final boolean settles;
    private final double minMs;
    private final double inFlightAtTarget;
    private double settledAtMs = Double.NaN;
    private long backlogBefore = Long.MAX_VALUE;

    private Warmup(ProbePlan plan, boolean adaptive, boolean settles, double qps, double targetMs) {
      this.plan = plan;
      this.settles = settles;
      this.minMs = adaptive ? Math.max(plan.warmupMs(), plan.minAdaptiveWarmupMs()) : plan.warmupMs();
      this.inFlightAtTarget = qps * targetMs / 1000;
    }

    /** The shortest warm-up: no need to check before. */
    public double minMs() {
      return minMs;
    }

    /**
     * Whether the warm-up is over.
     *
     * @param elapsedMs since the warm-up began
     * @param quiet the policy holds its choice and has changed nothing for {@code quietMs} (ignored for one that
     *     does not settle)
     * @param backlog the warm-up's queries sent and not yet answered
     */
    public boolean over(double elapsedMs, boolean quiet, long backlog) {
      long before = backlogBefore;
      backlogBefore = backlog;
      if (elapsedMs >= plan.maxWarmupMs()) {
        return true;
      }
      if (Double.isNaN(settledAtMs)) {
        if (elapsedMs < minMs || settles && !quiet) {
          return false;
        }
        settledAtMs = elapsedMs;
      }
      boolean draining = backlog > inFlightAtTarget && backlog < before;
      return !draining || elapsedMs - settledAtMs >= plan.backlogDrainMs();
    }
  }

  /**
   * One probe of a session.
   *
   * @param askedQps the offered rate
   * @param p95Ms p95 of the measured queries (infinite when some were not answered by the drain's end)
   * @param feasible every measured query answered and the p95 within the target
   * @param settingsAtEnd the policy's settings when the probe ended
   * @param endMs the session's time at the probe's end
   * @param warmupMs how long its warm-up lasted
   */
  public record Probe(double askedQps, double p95Ms, boolean feasible, BatchSettings settingsAtEnd, double endMs,
      double warmupMs)
      implements LbtSearch.Outcome {}

  /** See {@link #session}. */
  public final class Session {
    private static final double CHUNK_MS = 1_000;
    private final Run run;
    private final BatchPolicy policy;
    private final ProbePlan plan;
    /** Whether the policy settles (an adaptive one that does not count as settled before any window). */
    private final boolean settles;

    private Session(BatchPolicy policy, ProbePlan plan) {
      this.policy = policy;
      this.plan = plan;
      this.settles = policy.adaptive() && !policy.settled();
      this.run = new Run(policy);
      run.generationLimit = Long.MAX_VALUE;
      run.measuring = false;
    }

    /** Probes {@code qps} after the session's probes so far, judged against {@code targetP95Ms}. */
    public Probe probe(double qps, double targetP95Ms) {
      run.setRate(qps);
      double started = run.now;
      Warmup warmup = plan.warmup(policy.adaptive(), settles, qps, targetP95Ms);
      long generatedBefore = run.generated;
      run.runUntil(started + warmup.minMs());
      while (true) {
        boolean quiet = policy.converged() && run.now - Math.max(run.lastDecisionMs, started) >= plan.quietMs();
        // The warm-up's own queries not yet answered, as the product counts them: those of the probe before are
        // answered first.
        long backlog = run.generated - Math.max(generatedBefore, run.completed);
        if (warmup.over(run.now - started, quiet, backlog)) {
          break;
        }
        run.runUntil(run.now + CHUNK_MS);
      }
      double warmupMs = run.now - started;
      run.overall.reset();
      run.measuring = true;
      run.runUntil(run.now + plan.measureMs());
      run.measuring = false;
      run.setRate(0);
      double drainEnd = run.now + plan.drainTimeoutMs();
      while (run.measuredOpen > 0 && run.now < drainEnd) {
        run.runUntil(Math.min(drainEnd, run.now + CHUNK_MS));
      }
      boolean complete = run.measuredOpen == 0 && run.overall.count() > 0;
      double p95 = complete ? run.overall.percentile(95) : Double.POSITIVE_INFINITY;
      return new Probe(qps, p95, complete && p95 <= targetP95Ms, run.settings, run.now, warmupMs);
    }
  }

  private static final int ARRIVAL = 0;
  private static final int CPU_DONE = 1;
  private static final int ACCELERATOR_DONE = 2;
  private static final int MERGE_TIMEOUT = 3;
  private static final int WINDOW_END = 4;

  private record Event(double timeMs, long sequence, int type, Object subject) implements Comparable<Event> {
    @Override
    public int compareTo(Event other) {
      int byTime = Double.compare(timeMs, other.timeMs);
      return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
    }
  }

  private static final class Query {
    final int items;
    final double arrivalMs;
    final boolean measured;
    /** The settings it was batched under. */
    final BatchSettings settings;
    int openParts;
    double workMs;

    Query(int items, double arrivalMs, boolean measured, BatchSettings settings) {
      this.items = items;
      this.arrivalMs = arrivalMs;
      this.measured = measured;
      this.settings = settings;
    }
  }

  /** One CPU request: pieces of one or more queries (a query never has two pieces in one request). */
  private static final class Request {
    final BatchSettings settings;
    final List<Query> members = new ArrayList<>(2);
    final List<Integer> pieceItems = new ArrayList<>(2);
    int items;
    /** Start to finish, stalls included (what the job charges as its work). */
    double wallMs;

    Request(BatchSettings settings) {
      this.settings = settings;
    }
  }

  /** The state of one run; events are processed in time order, ties in creation order. */
  private final class Run {
    private final PolicyFeedback feedback;
    private final BatchPolicy policy;
    private final SplittableRandom arrivalRandom;
    private final SplittableRandom sizeRandom;
    private final SplittableRandom serviceRandom;
    private final SplittableRandom stallRandom;
    /** Stalls not yet over, in time order, as [start, end) pairs; drawn on demand as time advances. */
    private final List<double[]> stalls = new ArrayList<>();
    private double stallsDrawnUntilMs;
    private final PriorityQueue<Event> events = new PriorityQueue<>();
    private final ArrayDeque<Request> cpuQueue = new ArrayDeque<>();
    private final ArrayDeque<Query> acceleratorQueue = new ArrayDeque<>();
    private final LatencyStats overall = new LatencyStats();
    /** The offered load; a session changes it between probes. */
    private RateSchedule schedule = rate;
    /** Queries generated at most (a session's are unlimited). */
    private long generationLimit = (long) warmupQueries + measuredQueries;
    /** Whether arriving queries are measured: null = after the warm-up's count (a plain run), else as a session sets it. */
    private Boolean measuring;
    /** Measured queries not yet answered. */
    private long measuredOpen;
    /** The arrival drawn next, to draw again when the rate changes. */
    private Event pendingArrival;
    /** When the policy last changed its settings or whether it holds them. */
    private double lastDecisionMs;
    private boolean holding;
    private final List<SimulationResult.WindowRecord> trace = new ArrayList<>();
    private long sequence;
    private double now;
    private BatchSettings settings;
    private Request openRequest;
    private MetricsWindow window;
    private int idleWorkers = workers;
    private boolean acceleratorBusy;
    private int generated;
    private int completed;
    private double firstMeasuredArrivalMs = Double.NaN;
    private double lastMeasuredArrivalMs;
    private double lastMeasuredCompletionMs;
    private long offloaded;
    private double cpuBusyMs;
    private long cpuRequests;
    private long cpuItems;

    Run(BatchPolicy policy) {
      this.policy = policy;
      this.feedback = new PolicyFeedback(policy);
      SplittableRandom root = new SplittableRandom(seed);
      this.arrivalRandom = root.split();
      this.sizeRandom = root.split();
      this.serviceRandom = root.split();
      this.stallRandom = root.split();
      this.settings = policy.settings();
    }

    SimulationResult execute() {
      scheduleNextArrival(0.0);
      while (!events.isEmpty()) {
        process(events.poll());
      }
      double arrivalSpanMs = lastMeasuredArrivalMs - firstMeasuredArrivalMs;
      double serviceSpanMs = lastMeasuredCompletionMs - firstMeasuredArrivalMs;
      return new SimulationResult(
          measuredQueries,
          overall.percentile(50),
          overall.percentile(95),
          overall.percentile(99),
          overall.meanMs(),
          arrivalSpanMs > 0 ? (measuredQueries - 1) * 1000.0 / arrivalSpanMs : 0.0,
          serviceSpanMs > 0 ? measuredQueries * 1000.0 / serviceSpanMs : 0.0,
          now > 0 ? cpuBusyMs / (workers * now) : 0.0,
          cpuRequests > 0 ? (double) cpuItems / cpuRequests : 0.0,
          offloaded,
          List.copyOf(trace),
          settings);
    }

    /** Processes every event up to {@code untilMs}; the clock then stands there. */
    void runUntil(double untilMs) {
      while (!events.isEmpty() && events.peek().timeMs() <= untilMs) {
        process(events.poll());
      }
      now = Math.max(now, untilMs);
    }

    /** From now on the load is {@code qps} (Poisson arrivals are memoryless: the next one is drawn again). */
    void setRate(double qps) {
      schedule = RateSchedule.constant(qps);
      if (pendingArrival != null) {
        events.remove(pendingArrival);
        pendingArrival = null;
      }
      scheduleNextArrival(now);
    }

    private void process(Event event) {
      now = event.timeMs();
      switch (event.type()) {
        case ARRIVAL -> onArrival();
        case CPU_DONE -> onCpuDone((Request) event.subject());
        case ACCELERATOR_DONE -> onAcceleratorDone((Query) event.subject());
        case MERGE_TIMEOUT -> onMergeTimeout((Request) event.subject());
        case WINDOW_END -> closeWindow();
        default -> throw new IllegalStateException("unknown event type " + event.type());
      }
    }

    private Event schedule(double atMs, int type, Object subject) {
      Event event = new Event(atMs, sequence++, type, subject);
      events.add(event);
      return event;
    }

    /** Poisson arrivals under a piecewise-constant rate: a gap crossing a rate change is redrawn there. */
    private void scheduleNextArrival(double fromMs) {
      pendingArrival = null;
      if (generated >= generationLimit) {
        return;
      }
      double t = fromMs;
      while (true) {
        double qps = schedule.qpsAt(t);
        double change = schedule.nextChangeAfter(t);
        if (qps <= 0) {
          if (Double.isInfinite(change)) {
            return;
          }
          t = change;
          continue;
        }
        double gapMs = -Math.log(1.0 - arrivalRandom.nextDouble()) * 1000.0 / qps;
        if (t + gapMs < change) {
          pendingArrival = schedule(t + gapMs, ARRIVAL, null);
          return;
        }
        t = change;
      }
    }

    private void onArrival() {
      boolean measured = measuring != null ? measuring : generated >= warmupQueries;
      generated++;
      // Without an accelerator the offload threshold is ignored.
      BatchSettings batching = acceleratorService != null ? settings
          : new BatchSettings(settings.batchSize(), settings.maxQueueDelayMs(), 0);
      Query query = new Query(querySizes.next(sizeRandom), now, measured, settings);
      if (measured) {
        measuredOpen++;
        if (Double.isNaN(firstMeasuredArrivalMs)) {
          firstMeasuredArrivalMs = now;
        }
        lastMeasuredArrivalMs = now;
      }
      BatchingRules.Admission admission = BatchingRules.admit(query.items,
          openRequest == null ? 0 : openRequest.items, openRequest == null ? null : openRequest.settings, batching,
          split);
      if (admission.offload()) {
        query.openParts = 1;
        if (measured) {
          offloaded++;
        }
        acceleratorQueue.add(query);
        startAccelerator();
      } else {
        if (admission.releaseOpenFirst()) {
          releaseOpenRequest();
        }
        placeOnCpu(query, admission.pieces(), batching);
      }
      scheduleNextArrival(now);
    }

    private void placeOnCpu(Query query, List<QuerySplitter.Piece> pieces, BatchSettings batching) {
      query.openParts = pieces.size();
      for (QuerySplitter.Piece piece : pieces) {
        if (openRequest == null) {
          openRequest = new Request(batching);
          if (!piece.closesRequest()) {
            schedule(BatchingRules.releaseDueMs(now, batching), MERGE_TIMEOUT, openRequest);
          }
        }
        openRequest.members.add(query);
        openRequest.pieceItems.add(piece.length());
        openRequest.items += piece.length();
        if (piece.closesRequest()) {
          releaseOpenRequest();
        }
      }
    }

    private void onMergeTimeout(Request request) {
      if (request == openRequest) {
        releaseOpenRequest();
      }
    }

    private void releaseOpenRequest() {
      cpuQueue.add(openRequest);
      openRequest = null;
      startCpuWork();
    }

    private void startCpuWork() {
      while (idleWorkers > 0 && !cpuQueue.isEmpty()) {
        Request request = cpuQueue.poll();
        idleWorkers--;
        double serviceMs = noisy(cpuService.serviceMs(request.items) * coldness());
        double doneMs = finishedAfterStalls(now, serviceMs);
        // The job times a request by the wall clock, so a stall during it is charged as its work.
        request.wallMs = doneMs - now;
        cpuBusyMs += serviceMs;
        cpuRequests++;
        cpuItems += request.items;
        schedule(doneMs, CPU_DONE, request);
      }
    }

    private void startAccelerator() {
      if (!acceleratorBusy && !acceleratorQueue.isEmpty()) {
        Query query = acceleratorQueue.poll();
        acceleratorBusy = true;
        schedule(finishedAfterStalls(now, noisy(acceleratorService.serviceMs(query.items))), ACCELERATOR_DONE, query);
      }
    }

    /** How much slower than the model's service times the serving runs now (1 once warm). */
    private double coldness() {
      return coldStartFactor == 1 ? 1 : 1 + (coldStartFactor - 1) * Math.exp(-now / coldStartTimeConstantMs);
    }

    /** When work of {@code serviceMs} started at {@code startMs} finishes, the stalls it meets waited out. */
    private double finishedAfterStalls(double startMs, double serviceMs) {
      if (stallEveryMs == 0) {
        return startMs + serviceMs;
      }
      // Work starts at the current time, which never goes back: stalls over by then are done with.
      while (!stalls.isEmpty() && stalls.get(0)[1] <= startMs) {
        stalls.remove(0);
      }
      if (stalls.isEmpty()) {
        // Poisson arrivals are memoryless: after idle time the next stall is drawn from now on.
        stallsDrawnUntilMs = Math.max(stallsDrawnUntilMs, startMs);
      }
      double t = startMs;
      double remaining = serviceMs;
      int i = 0;
      while (true) {
        while (i >= stalls.size()) {
          drawStall();
        }
        double[] stall = stalls.get(i++);
        if (stall[1] <= t) {
          continue;
        }
        if (stall[0] >= t + remaining) {
          return t + remaining;
        }
        remaining -= Math.max(0, stall[0] - t);
        t = stall[1];
      }
    }

    private void drawStall() {
      double start = stallsDrawnUntilMs - Math.log(1.0 - stallRandom.nextDouble()) * stallEveryMs;
      double end = start - Math.log(1.0 - stallRandom.nextDouble()) * stallMeanMs;
      stalls.add(new double[] {start, end});
      stallsDrawnUntilMs = end;
    }

    private double noisy(double serviceMs) {
      if (serviceNoiseSigma == 0) {
        return serviceMs;
      }
      double u = 1.0 - serviceRandom.nextDouble();
      double v = serviceRandom.nextDouble();
      double gaussian = Math.sqrt(-2.0 * Math.log(u)) * Math.cos(2.0 * Math.PI * v);
      // Mean-preserving lognormal factor: E[exp(sN - s^2/2)] = 1.
      return serviceMs * Math.exp(serviceNoiseSigma * gaussian - serviceNoiseSigma * serviceNoiseSigma / 2);
    }

    private void onCpuDone(Request request) {
      idleWorkers++;
      for (int i = 0; i < request.members.size(); i++) {
        Query query = request.members.get(i);
        query.workMs += WorkShare.ms(request.wallMs, request.pieceItems.get(i), request.items);
        if (--query.openParts == 0) {
          complete(query, false);
        }
      }
      startCpuWork();
    }

    private void onAcceleratorDone(Query query) {
      acceleratorBusy = false;
      complete(query, true);
      startAccelerator();
    }

    private void complete(Query query, boolean offloadedQuery) {
      completed++;
      double latencyMs = now - query.arrivalMs;
      if (query.measured) {
        measuredOpen--;
        overall.record(latencyMs);
        lastMeasuredCompletionMs = Math.max(lastMeasuredCompletionMs, now);
      }
      if (window == null) {
        window = MetricsWindow.containing((long) Math.floor(now), windowMs);
        schedule(window.endMs(), WINDOW_END, null);
      }
      window.record(MetricsWindow.Outcome.OK, latencyMs, query.items, query.workMs, offloadedQuery, query.settings,
          "simulated", workers, 0);
    }

    /** A window ends: the policy sees it through the same feedback rule as the job's controller. */
    private void closeWindow() {
      MetricsWindow closed = window;
      window = null;
      WindowObservation observation = closed.observation();
      PolicyFeedback.Step step = feedback.onWindow(observation, closed.mixedSettings(), closed.meanQueryItems(),
          closed.maxQueryItems());
      BatchSettings decided = step.settings() != null ? step.settings() : settings;
      trace.add(new SimulationResult.WindowRecord(observation, decided));
      if (!decided.equals(settings) || policy.converged() != holding) {
        lastDecisionMs = now;
        holding = policy.converged();
      }
      if (!decided.equals(settings)) {
        settings = decided;
      }
    }
  }

  /** Settings of a {@link ServingSimulator}; {@link #build()} names any bad one. */
  public static final class Builder {
    private int workers = 1;
    private ServiceTimeModel cpuService;
    private ServiceTimeModel acceleratorService;
    private QuerySizes querySizes = QuerySizes.deepRecInfra();
    private RateSchedule rate;
    private int warmupQueries = 1_000;
    private int measuredQueries = 10_000;
    private long windowMs = 1_000;
    private double serviceNoiseSigma;
    private double stallEveryMs;
    private double stallMeanMs;
    private double coldStartFactor = 1;
    private double coldStartTimeConstantMs = 1;
    private long seed = 1;
    private SplitRule split = SplitRule.DEFAULT;

    private Builder() {}

    /** How a query is cut when requests are not merged (default {@link SplitRule#DEFAULT}, as the job's). */
    public Builder split(SplitRule value) {
      this.split = java.util.Objects.requireNonNull(value, "split");
      return this;
    }

    /** CPU workers pulling from the shared queue, >= 1 (default 1). */
    public Builder workers(int value) {
      this.workers = value;
      return this;
    }

    /** Required: CPU service time per request. */
    public Builder cpuService(ServiceTimeModel value) {
      this.cpuService = value;
      return this;
    }

    /** An accelerator with this service time per whole query; null = none (default none). */
    public Builder acceleratorService(ServiceTimeModel value) {
      this.acceleratorService = value;
      return this;
    }

    /** Query sizes (default lognormal(5.1, 0.2)). */
    public Builder querySizes(QuerySizes value) {
      this.querySizes = value;
      return this;
    }

    /** Required: offered load over time. */
    public Builder rate(RateSchedule value) {
      this.rate = value;
      return this;
    }

    /** Constant offered load, queries/s. */
    public Builder rateQps(double qps) {
      return rate(RateSchedule.constant(qps));
    }

    /** Queries generated before measuring starts, >= 0 (default 1,000); their windows still reach the policy. */
    public Builder warmupQueries(int value) {
      this.warmupQueries = value;
      return this;
    }

    /** Queries measured after the warm-up, >= 1 (default 10,000). */
    public Builder measuredQueries(int value) {
      this.measuredQueries = value;
      return this;
    }

    /** Length of a feedback window, ms of simulated time, >= 1 (default 1,000: the job's default metrics window). */
    public Builder windowMs(long value) {
      this.windowMs = value;
      return this;
    }

    /** Sigma of a mean-preserving lognormal factor on every service time; 0 = deterministic (default 0). */
    public Builder serviceNoiseSigma(double value) {
      this.serviceNoiseSigma = value;
      return this;
    }

    /**
     * Stalls of the whole serving process: one every {@code everyMs} on average (Poisson), each
     * {@code meanMs} long on average (exponential); 0, 0 = none (default none).
     */
    public Builder stalls(double everyMs, double meanMs) {
      this.stallEveryMs = everyMs;
      this.stallMeanMs = meanMs;
      return this;
    }

    /**
     * A cold start: CPU service times {@code factor} times the model's at time 0, approaching it with time
     * constant {@code timeConstantMs}; factor 1 = none (default none).
     */
    public Builder coldStart(double factor, double timeConstantMs) {
      this.coldStartFactor = factor;
      this.coldStartTimeConstantMs = timeConstantMs;
      return this;
    }

    /** Seed of arrivals, sizes and noise (default 1). */
    public Builder seed(long value) {
      this.seed = value;
      return this;
    }

    public ServingSimulator build() {
      if (workers < 1) {
        throw new IllegalArgumentException("workers must be >= 1: " + workers);
      }
      if (cpuService == null) {
        throw new IllegalArgumentException("cpuService is required");
      }
      if (querySizes == null) {
        throw new IllegalArgumentException("querySizes must not be null");
      }
      if (rate == null) {
        throw new IllegalArgumentException("rate is required");
      }
      if (warmupQueries < 0) {
        throw new IllegalArgumentException("warmupQueries must be >= 0: " + warmupQueries);
      }
      if (measuredQueries < 1) {
        throw new IllegalArgumentException("measuredQueries must be >= 1: " + measuredQueries);
      }
      if (windowMs < 1) {
        throw new IllegalArgumentException("windowMs must be >= 1: " + windowMs);
      }
      if (serviceNoiseSigma < 0) {
        throw new IllegalArgumentException("serviceNoiseSigma must be >= 0: " + serviceNoiseSigma);
      }
      if (stallEveryMs < 0 || stallMeanMs < 0 || (stallEveryMs == 0) != (stallMeanMs == 0)) {
        throw new IllegalArgumentException("stalls need both an interval and a length > 0, or neither: "
            + stallEveryMs + ", " + stallMeanMs);
      }
      if (!(coldStartFactor >= 1) || !(coldStartTimeConstantMs > 0)) {
        throw new IllegalArgumentException("coldStart needs a factor >= 1 and a time constant > 0: "
            + coldStartFactor + ", " + coldStartTimeConstantMs);
      }
      return new ServingSimulator(this);
    }
  }
}

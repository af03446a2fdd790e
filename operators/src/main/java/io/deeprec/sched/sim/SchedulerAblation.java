package io.deeprec.sched.sim;

import io.deeprec.sched.BatchPolicy;
import io.deeprec.sched.DeepRecSchedPolicy;
import io.deeprec.sched.FixedBatchPolicy;
import io.deeprec.sched.SchedParameters;
import io.deeprec.sched.SplitRule;
import io.deeprec.sched.StaticBatchPolicy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * Whether each of DeepRecSched's rules earns its place: every variant (the defaults, then one rule removed or
 * one constant moved) on the serving simulator with service-time noise, over many seeds, on service-time
 * shapes with opposite preferences. Two measures per seed: the latency-bounded throughput (LBT) relative to
 * the oracle (the best fixed batch size on the same seeded workload), and a load step (from 45% to 90% of the
 * oracle's LBT): whether the choice after the step meets the target, and how long after the step the last
 * change came. Also projects static, the oracle and DeepRecSched onto more workers (labelled simulation).
 */
public final class SchedulerAblation {

  /** Service-time noise: sigma of a mean-preserving lognormal factor on every request. */
  public static final double NOISE_SIGMA = 0.2;
  /** Stalls of the whole process, where a shape has them: one every this many ms on average. */
  public static final double STALL_EVERY_MS = 5_000;
  /** Mean length of a stall as a share of the shape's target (a collection or a checkpoint's pause). */
  public static final double STALL_SHARE_OF_TARGET = 0.5;
  /** A cold start, where a shape has JVM noise: service this many times slower at first ... */
  public static final double COLD_START_FACTOR = 1.5;
  /** ... approaching the model's with this time constant (ms). */
  public static final double COLD_START_TIME_CONSTANT_MS = 10_000;
  /** Batch sizes of the oracle's sweep: the policy's ladder for the benchmark's query sizes. */
  public static final int[] ORACLE_SIZES = {1024, 256, 192, 167, 128, 96, 84, 64, 56, 48, 42, 32, 16, 8};
  private static final int WARMUP_QUERIES = 12_000;
  private static final int MEASURED_QUERIES = 5_000;
  private static final double LBT_PRECISION = 0.01;
  /** Queries per feedback window of a projection at its shape's capacity (a 1 s window at 400 queries/s). */
  private static final int QUERIES_PER_WINDOW = 400;
  private static final double STEP_AT_MS = 90_000;
  /**
   * A search as the product's starts every contender at one share of the oracle's LBT, by default this one: it
   * climbs to its answer through several load changes, each met by the policy it has learnt so far. (The product
   * starts at a share of the offline peak, which lands below some models' LBT and above others'.)
   */
  public static final double SEARCH_START_SHARE = 0.5;
  private static final double STEP_END_MS = 300_000;

  private SchedulerAblation() {}

  /**
   * A model's serving as the simulator sees it.
   *
   * @param name label
   * @param service request service time per batch size (with every worker busy)
   * @param workers CPU workers
   * @param targetP95Ms p95 target (ms)
   * @param unprofiledMsPerRequest CPU each request costs beyond the profiled model time (records, hand-offs,
   *     reassembly in the job), which the profile does not show
   * @param jvmNoise whether the serving starts cold ({@link #COLD_START_FACTOR}) and the whole process stalls
   *     now and then ({@link #STALL_EVERY_MS}, {@link #STALL_SHARE_OF_TARGET}), as the job's JVM does
   */
  public record Shape(String name, ServiceTimeModel service, int workers, double targetP95Ms, double unprofiledMsPerRequest,
      boolean jvmNoise) {
    public Shape(String name, ServiceTimeModel service, int workers, double targetP95Ms) {
      this(name, service, workers, targetP95Ms, 0, false);
    }

    public Shape(String name, ServiceTimeModel service, int workers, double targetP95Ms, double unprofiledMsPerRequest) {
      this(name, service, workers, targetP95Ms, unprofiledMsPerRequest, false);
    }

    /** The same shape served by a process that starts cold and stalls now and then. */
    public Shape withJvmNoise() {
      return new Shape(name + ", jvm noise", service, workers, targetP95Ms, unprofiledMsPerRequest, true);
    }

    /** What a request costs the workers: the profiled service time plus the per-request cost the profile misses. */
    ServiceTimeModel servedBy() {
      return unprofiledMsPerRequest == 0 ? service : batch -> service.serviceMs(batch) + unprofiledMsPerRequest;
    }

    /** The profile the policy gets, as the job's profiler measures it: the model's time at powers of two. */
    Map<Integer, Double> profile() {
      Map<Integer, Double> profile = new TreeMap<>();
      for (int batch = 1; batch <= 1024; batch *= 2) {
        profile.put(batch, service.serviceMs(batch));
      }
      return profile;
    }
  }

  /**
   * One variant: a label, the parameters that remove or move one rule, and whether the policy gets the
   * profile (the job has one when {@code --profile-dir} is given, and the benchmark always gives one).
   */
  public record Variant(String name, String rule, SchedParameters parameters, boolean profiled) {
    Variant(String name, String rule, SchedParameters parameters) {
      this(name, rule, parameters, true);
    }
  }

  /**
   * The shapes of the ablation: MLP-bound (cost per item) under a tight and a loose target, embedding-bound
   * (a large cost per request), and cache-bound (the cost per item grows with the batch, as gathers fall out
   * of the caches: the most capacity lies at mid-sized requests), also with a cost per request the profile
   * does not show (as the job's records and hand-offs), which moves the most capacity to larger requests;
   * and a slow model whose typical query takes most of its target unsplit (as DIEN at full size), served at a
   * few tens of queries per second: a 1 s window holds few queries, so a few windows' p95 is noisy.
   */
  public static List<Shape> shapes() {
    List<Shape> shapes = new ArrayList<>(smoothShapes());
    smoothShapes().forEach(shape -> shapes.add(shape.withJvmNoise()));
    return shapes;
  }

  /** The shapes without JVM noise. */
  static List<Shape> smoothShapes() {
    Map<Integer, Double> cacheBound = new TreeMap<>();
    for (int batch = 1; batch <= 1024; batch *= 2) {
      cacheBound.put(batch, 0.5 + 0.02 * batch * (1 + batch / 128.0));
    }
    return List.of(
        new Shape("mlp-bound, tight target", ServiceTimeModel.linear(0.5, 0.05), 4, 10),
        new Shape("mlp-bound, loose target", ServiceTimeModel.linear(0.5, 0.05), 4, 30),
        new Shape("embedding-bound", ServiceTimeModel.linear(5.0, 0.01), 2, 100),
        new Shape("cache-bound", ServiceTimeModel.table(cacheBound), 2, 50),
        new Shape("cache-bound + 2 ms per request unprofiled", ServiceTimeModel.table(cacheBound), 2, 50, 2.0),
        new Shape("slow, a query near the target", batch -> 1.5 + 0.09 * batch * (1 + batch / 256.0), 2, 35));
  }

  /** The defaults, then each rule removed or each constant moved, one at a time. */
  public static List<Variant> variants() {
    SchedParameters d = SchedParameters.DEFAULTS;
    return List.of(
        new Variant("defaults", "-", d),
        new Variant("plateauSteps=0", "walk on through ties", d.withPlateauSteps(0)),
        new Variant("plateauSteps=1", "walk on through ties", d.withPlateauSteps(1)),
        new Variant("plateauSteps=3", "walk on through ties", d.withPlateauSteps(3)),
        new Variant("skipLosers=false", "skip rungs that cannot win", d.withSkipLosers(false)),
        new Variant("capacityMargin=0", "capacity ties", d.withCapacityMargin(0)),
        new Variant("capacityMargin=0.02", "capacity ties", d.withCapacityMargin(0.02)),
        new Variant("capacityMargin=0.10", "capacity ties", d.withCapacityMargin(0.10)),
        new Variant("p95Band=0", "p95 ties", d.withP95Band(0)),
        new Variant("p95Band=0.20", "p95 ties", d.withP95Band(0.20)),
        new Variant("windowsPerStep=2", "windows per step", d.withWindowsPerStep(2)),
        new Variant("windowsPerStep=8", "windows per step", d.withWindowsPerStep(8)),
        new Variant("seedLatencyShare=1", "seed within a share of the target", d.withSeedLatencyShare(1.0)),
        new Variant("no profile", "seed from the profile", d, false),
        new Variant("no profile, plateauSteps=0", "walk on through ties", d.withPlateauSteps(0), false),
        new Variant("no profile, plateauSteps=1", "walk on through ties", d.withPlateauSteps(1), false),
        new Variant("watchWindows=4", "watch span", d.withWatchWindows(4)),
        new Variant("loadChangeFraction=0.5", "load change that re-explores", d.withLoadChangeFraction(0.5)),
        new Variant("medianStepP95=true", "a step's p95: the median of its windows (not adopted)", d.withMedianStepP95(true)),
        new Variant("missesByCapacity=true", "capacity decides between misses (not adopted)", d.withMissesByCapacity(true)),
        new Variant("steadyStartSteps=4", "measure the start until steady (not adopted)", d.withSteadyStartSteps(4)),
        new Variant("confirmWins=false", "a win confirmed against the best measured around it", d.withConfirmWins(false)),
        new Variant("minStepQueries=200", "a step measures at least this many queries (not adopted)", d.withMinStepQueries(200)),
        new Variant("minStepQueries=400", "a step measures at least this many queries (not adopted)", d.withMinStepQueries(400)),
        new Variant("loadChangeNeedsMiss=true", "a load change explores only when the choice misses", d.withLoadChangeNeedsMiss(true)),
        new Variant("losersEndDirection=true", "a rung that cannot win ends the walk (not adopted)",
            d.withLosersEndDirection(true)),
        new Variant("tiesToLargerBatch=true", "a full tie goes to the larger batch (not adopted)", d.withTiesToLargerBatch(true)),
        new Variant("saturatedByCapacityOnly=true", "under saturation a capacity tie is a tie (not adopted)",
            d.withSaturatedByCapacityOnly(true)));
  }

  /**
   * One variant on one shape, over the seeds.
   *
   * @param lbtRatios per seed: LBT / the oracle's LBT
   * @param stepMet per seed: whether the mean window p95 from 120 s after the step to the end met the target
   * @param settleSeconds per seed: seconds from the step to the last settings change (0 when none)
   * @param searchRatios per seed: the LBT of a search as the product's (one run through all its probes) / the
   *     oracle's by the same search; empty when not measured
   */
  public record Outcome(Shape shape, Variant variant, double[] lbtRatios, boolean[] stepMet, double[] settleSeconds,
      double[] searchRatios, double[] searchOracleRatios) {
    public Outcome(Shape shape, Variant variant, double[] lbtRatios, boolean[] stepMet, double[] settleSeconds) {
      this(shape, variant, lbtRatios, stepMet, settleSeconds, new double[0], new double[0]);
    }

    /**
     * Median over seeds of the oracle's LBT by the product's search over its steady-state LBT: how far the search's
     * method moves a fixed size's answer; NaN when not searched.
     */
    public double medianSearchOracleRatio() {
      return searchOracleRatios.length == 0 ? Double.NaN : quantile(searchOracleRatios, 0.5);
    }

    /** Median of {@link #searchRatios}; NaN when not measured. */
    public double medianSearchRatio() {
      return searchRatios.length == 0 ? Double.NaN : quantile(searchRatios, 0.5);
    }

    public double p10SearchRatio() {
      return searchRatios.length == 0 ? Double.NaN : quantile(searchRatios, 0.1);
    }

    public double medianLbtRatio() {
      return quantile(lbtRatios, 0.5);
    }

    public double p10LbtRatio() {
      return quantile(lbtRatios, 0.1);
    }

    public double stepMetShare() {
      int met = 0;
      for (boolean m : stepMet) {
        met += m ? 1 : 0;
      }
      return (double) met / stepMet.length;
    }

    public double medianSettleSeconds() {
      return quantile(settleSeconds, 0.5);
    }
  }

  /** The simulator of a shape and seed, with noise and the job's 1 s feedback windows. */
  public static ServingSimulator simulator(Shape shape, long seed) {
    ServingSimulator.Builder builder = ServingSimulator.builder().workers(shape.workers()).cpuService(shape.servedBy())
        .rateQps(1).serviceNoiseSigma(NOISE_SIGMA).warmupQueries(WARMUP_QUERIES).measuredQueries(MEASURED_QUERIES)
        .seed(seed);
    if (shape.jvmNoise()) {
      builder.stalls(STALL_EVERY_MS, STALL_SHARE_OF_TARGET * shape.targetP95Ms())
          .coldStart(COLD_START_FACTOR, COLD_START_TIME_CONSTANT_MS);
    }
    return builder.build();
  }

  /**
   * The same for a shape whose capacity runs to thousands of queries per second: feedback windows shortened
   * to hold about as many queries as a 1 s window at a few hundred queries/s, so that the warm-up spans as
   * many windows (the policy converges in windows) at any rate; and a measured span of at least ten targets
   * at that capacity, so that an overload has time to show in the p95.
   */
  static ServingSimulator scaledSimulator(Shape shape, long seed) {
    double capacityQps = shape.workers() * 1000.0 / shape.servedBy().serviceMs(167);
    long windowMs = Math.max(10, Math.min(1000, Math.round(QUERIES_PER_WINDOW * 1000.0 / capacityQps)));
    int measured = (int) Math.max(MEASURED_QUERIES, Math.ceil(capacityQps * 10 * shape.targetP95Ms() / 1000));
    return simulator(shape, seed).toBuilder().windowMs(windowMs).measuredQueries(measured).build();
  }

  /** The oracle's LBT for a shape and seed: the best fixed batch size's. */
  public static double oracleLbt(Shape shape, long seed) {
    return oracleLbt(simulator(shape, seed), shape);
  }

  private static double oracleLbt(ServingSimulator simulator, Shape shape) {
    double best = 0;
    double start = shape.workers() * 1000.0 / shape.servedBy().serviceMs(167);
    for (int batch : ORACLE_SIZES) {
      best = Math.max(best, lbt(simulator, () -> new FixedBatchPolicy(batch, 0), shape.targetP95Ms(), best > 0 ? best : start));
    }
    return best;
  }

  /** DeepRecSched's LBT with {@code parameters}, for a shape and seed. */
  public static double deepRecSchedLbt(Shape shape, long seed, Variant variant, double startQps) {
    return lbt(simulator(shape, seed), () -> policy(shape, variant), shape.targetP95Ms(), startQps);
  }

  private static DeepRecSchedPolicy policy(Shape shape, Variant variant) {
    return new DeepRecSchedPolicy(shape.targetP95Ms(), variant.parameters(), shape.workers(), false,
        variant.profiled() ? shape.profile() : Map.of(), 0);
  }

  /**
   * A policy's LBT found as the product's benchmark finds it: one run goes on through every probe of the search
   * (warm-up until the policy holds, measured windows, a drain), so a policy meets each new rate with what it
   * learnt at the rates before and pays for any exploration during the probe.
   */
  public static double searchLbt(Shape shape, long seed, BatchPolicy policy, double startQps) {
    return searchLbt(shape, seed, policy, startQps, ServingSimulator.ProbePlan.PRODUCT);
  }

  /** The same, each probe run by {@code plan}. */
  public static double searchLbt(Shape shape, long seed, BatchPolicy policy, double startQps,
      ServingSimulator.ProbePlan plan) {
    ServingSimulator.Session session = simulator(shape, seed).session(policy, plan);
    return new LbtSearch(LbtSearch.PRODUCT_GROWTH, LbtSearch.PRODUCT_PRECISION, startQps / 64, LbtSearch.PRODUCT_STRIKES)
        .search(startQps, qps -> session.probe(qps, shape.targetP95Ms())).lbtQps();
  }

  /** The oracle by the product's search: the best fixed batch size's {@link #searchLbt}. */
  public static double searchOracleLbt(Shape shape, long seed, double startQps, ServingSimulator.ProbePlan plan) {
    double best = 0;
    for (int batch : ORACLE_SIZES) {
      best = Math.max(best, searchLbt(shape, seed, new FixedBatchPolicy(batch, 0), startQps, plan));
    }
    return best;
  }

  private static double lbt(ServingSimulator simulator, Supplier<? extends BatchPolicy> policies, double target, double startQps) {
    return LatencyBoundedThroughput.search(simulator, policies, target, startQps, LBT_PRECISION).lbtQps();
  }

  /**
   * Runs every variant on every shape over {@code seeds} seeds (1..seeds).
   *
   * @param progress told each finished (shape, variant)
   */
  public static List<Outcome> run(List<Shape> shapes, List<Variant> variants, int seeds, Consumer<Outcome> progress) {
    return run(shapes, variants, seeds, 0, ServingSimulator.ProbePlan.PRODUCT, progress);
  }

  /**
   * The same, and with {@code searchStartShare > 0} also each variant's LBT by the product's search, started at
   * that share of the oracle's LBT, against the oracle's by the same search ({@link #searchLbt}), each probe run by
   * {@code plan}.
   */
  public static List<Outcome> run(List<Shape> shapes, List<Variant> variants, int seeds, double searchStartShare,
      ServingSimulator.ProbePlan plan, Consumer<Outcome> progress) {
    boolean productSearch = searchStartShare > 0;
    List<Outcome> outcomes = new ArrayList<>();
    for (Shape shape : shapes) {
      double[] oracles = IntStream.rangeClosed(1, seeds).parallel().mapToDouble(seed -> oracleLbt(shape, seed)).toArray();
      double[] searchOracles = !productSearch ? new double[0] : IntStream.range(0, seeds).parallel()
          .mapToDouble(i -> searchOracleLbt(shape, i + 1, searchStartShare * oracles[i], plan)).toArray();
      double[] searchOracleRatios = IntStream.range(0, searchOracles.length)
          .mapToDouble(i -> searchOracles[i] / oracles[i]).toArray();
      for (Variant variant : variants) {
        double[] ratios = new double[seeds];
        boolean[] met = new boolean[seeds];
        double[] settle = new double[seeds];
        double[] searchRatios = new double[productSearch ? seeds : 0];
        IntStream.range(0, seeds).parallel().forEach(i -> {
          long seed = i + 1;
          ratios[i] = deepRecSchedLbt(shape, seed, variant, oracles[i]) / oracles[i];
          SimulationResult stepped = loadStep(shape, seed, variant, oracles[i]);
          met[i] = meanWindowP95From(stepped, STEP_AT_MS + 120_000) <= shape.targetP95Ms();
          settle[i] = Math.max(0, stepped.lastChangeMs() - STEP_AT_MS) / 1000.0;
          if (productSearch) {
            searchRatios[i] = searchLbt(shape, seed, policy(shape, variant), searchStartShare * oracles[i], plan)
                / searchOracles[i];
          }
        });
        Outcome outcome = new Outcome(shape, variant, ratios, met, settle, searchRatios, searchOracleRatios);
        outcomes.add(outcome);
        progress.accept(outcome);
      }
    }
    return outcomes;
  }

  /**
   * How the two {@link SplitRule}s serve one shape, per seed on the same seeded workload: the oracle's LBT (the
   * best fixed batch size under each rule) and DeepRecSched's with the defaults, under each rule.
   */
  public record SplitOutcome(Shape shape, double[] oracleFullFirst, double[] oracleBalanced, double[] schedFullFirst,
      double[] schedBalanced) {
    /** Median over seeds of the oracle's LBT balanced / full-first. */
    public double oracleGain() {
      return quantile(ratios(oracleBalanced, oracleFullFirst), 0.5);
    }

    /** Median over seeds of DeepRecSched's LBT balanced / full-first. */
    public double schedGain() {
      return quantile(ratios(schedBalanced, schedFullFirst), 0.5);
    }

    /** p10 over seeds of DeepRecSched's LBT balanced / full-first. */
    public double schedGainP10() {
      return quantile(ratios(schedBalanced, schedFullFirst), 0.1);
    }

    /** Median over seeds of DeepRecSched / the oracle under one rule. */
    public double schedOverOracle(SplitRule rule) {
      return rule == SplitRule.BALANCED ? quantile(ratios(schedBalanced, oracleBalanced), 0.5)
          : quantile(ratios(schedFullFirst, oracleFullFirst), 0.5);
    }

    private static double[] ratios(double[] over, double[] under) {
      double[] r = new double[over.length];
      for (int i = 0; i < r.length; i++) {
        r[i] = under[i] > 0 ? over[i] / under[i] : Double.NaN;
      }
      return r;
    }
  }

  /** The two split rules on every shape over {@code seeds} seeds (1..seeds). */
  public static List<SplitOutcome> compareSplits(List<Shape> shapes, int seeds, Consumer<SplitOutcome> progress) {
    List<SplitOutcome> outcomes = new ArrayList<>();
    for (Shape shape : shapes) {
      double[][] lbts = new double[4][seeds];
      IntStream.range(0, seeds).parallel().forEach(i -> {
        for (SplitRule rule : SplitRule.values()) {
          ServingSimulator simulator = simulator(shape, i + 1).toBuilder().split(rule).build();
          double oracle = oracleLbt(simulator, shape);
          double sched = lbt(simulator, () -> policy(shape, variants().get(0)), shape.targetP95Ms(), oracle);
          int row = rule == SplitRule.BALANCED ? 1 : 0;
          lbts[row][i] = oracle;
          lbts[2 + row][i] = sched;
        }
      });
      SplitOutcome outcome = new SplitOutcome(shape, lbts[0], lbts[1], lbts[2], lbts[3]);
      outcomes.add(outcome);
      progress.accept(outcome);
    }
    return outcomes;
  }

  /** The split comparison as a markdown table, one row per shape. */
  public static String splitMarkdown(List<SplitOutcome> outcomes) {
    StringBuilder md = new StringBuilder("| shape | oracle: balanced / full-first, median | deeprecsched: balanced / "
        + "full-first, median | p10 | deeprecsched / oracle, full-first | balanced |\n|---|---|---|---|---|---|\n");
    for (SplitOutcome o : outcomes) {
      md.append(String.format(Locale.ROOT, "| %s | %.3f | %.3f | %.3f | %.3f | %.3f |%n", o.shape().name(), o.oracleGain(),
          o.schedGain(), o.schedGainP10(), o.schedOverOracle(SplitRule.FULL_FIRST), o.schedOverOracle(SplitRule.BALANCED)));
    }
    return md.toString();
  }

  /** A run whose load steps from 45% to 90% of the oracle's LBT at 90 s and ends at 300 s. */
  static SimulationResult loadStep(Shape shape, long seed, Variant variant, double oracleLbt) {
    double before = 0.45 * oracleLbt;
    double after = 0.9 * oracleLbt;
    int queries = (int) (before * STEP_AT_MS / 1000 + after * (STEP_END_MS - STEP_AT_MS) / 1000);
    ServingSimulator simulator = simulator(shape, seed).toBuilder().rate(RateSchedule.step(before, STEP_AT_MS, after))
        .warmupQueries(0).measuredQueries(queries).build();
    return simulator.run(policy(shape, variant));
  }

  private static double meanWindowP95From(SimulationResult run, double fromMs) {
    return run.trace().stream().filter(w -> w.observation().windowEndMs() >= fromMs)
        .mapToDouble(w -> w.observation().p95Ms()).average().orElse(Double.POSITIVE_INFINITY);
  }

  /** The ablation as a markdown table, one row per variant and shape, with the change against the defaults. */
  public static String markdown(List<Outcome> outcomes) {
    Map<String, Outcome> defaults = new LinkedHashMap<>();
    for (Outcome o : outcomes) {
      if (o.variant().name().equals("defaults")) {
        defaults.put(o.shape().name(), o);
      }
    }
    boolean searched = outcomes.stream().anyMatch(o -> o.searchRatios().length > 0);
    StringBuilder md = new StringBuilder();
    md.append("| shape | variant | rule | LBT / oracle, median | p10 | vs defaults | step: target met | settle after step, median s |");
    md.append(searched ? " by the product's search: LBT / oracle, median | p10 | vs defaults |\n" : "\n");
    md.append("|---|---|---|---|---|---|---|---|").append(searched ? "---|---|---|\n" : "\n");
    for (Outcome o : outcomes) {
      Outcome base = defaults.get(o.shape().name());
      String delta = base == null || base == o ? "-" : String.format(Locale.ROOT, "%+.3f", o.medianLbtRatio() - base.medianLbtRatio());
      md.append(String.format(Locale.ROOT, "| %s | %s | %s | %.3f | %.3f | %s | %.0f%% | %.0f |", o.shape().name(),
          o.variant().name(), o.variant().rule(), o.medianLbtRatio(), o.p10LbtRatio(), delta, 100 * o.stepMetShare(),
          o.medianSettleSeconds()));
      if (searched) {
        String searchDelta = base == null || base == o ? "-"
            : String.format(Locale.ROOT, "%+.3f", o.medianSearchRatio() - base.medianSearchRatio());
        md.append(String.format(Locale.ROOT, " %.3f | %.3f | %s |", o.medianSearchRatio(), o.p10SearchRatio(), searchDelta));
      }
      md.append('\n');
    }
    return md.toString();
  }

  /**
   * A projection onto more workers: static's, the oracle's and DeepRecSched's LBT (queries/s), median over seeds.
   *
   * @param name the model
   * @param workers workers simulated
   */
  public record Projection(String name, int workers, double targetP95Ms, double staticLbt, double oracleLbt, double deepRecSchedLbt) {}

  /** Projects a model given by its single-worker latency curve onto {@code workers} workers. */
  public static Projection project(String name, Map<Integer, Double> curveMs, double targetP95Ms, int workers, int seeds) {
    Shape shape = new Shape(name, ServiceTimeModel.table(curveMs), workers, targetP95Ms);
    double[] statics = new double[seeds];
    double[] oracles = new double[seeds];
    double[] scheds = new double[seeds];
    IntStream.range(0, seeds).parallel().forEach(i -> {
      ServingSimulator simulator = scaledSimulator(shape, i + 1);
      oracles[i] = oracleLbt(simulator, shape);
      statics[i] = lbt(simulator, StaticBatchPolicy::new, targetP95Ms, oracles[i]);
      scheds[i] = lbt(simulator, () -> policy(shape, variants().get(0)), targetP95Ms, oracles[i]);
    });
    return new Projection(name, workers, targetP95Ms, quantile(statics, 0.5), quantile(oracles, 0.5), quantile(scheds, 0.5));
  }

  static double quantile(double[] values, double q) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int index = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }
}

package io.deeprec.job.bench;

import io.deeprec.inference.InferenceWorkers;
import io.deeprec.job.bench.BenchResults.ModelResult;
import io.deeprec.job.bench.BenchResults.PolicyResult;
import io.deeprec.sched.sim.LbtSearch;
import io.deeprec.sched.sim.ServingSimulator;
import io.deeprec.workload.QuerySizes;
import io.deeprec.model.ModelId;
import io.deeprec.model.ModelKey;
import io.deeprec.model.ModelRegistry;
import io.deeprec.model.RecModel;
import io.deeprec.model.profile.BatchProfiler;
import io.deeprec.sched.BatchPolicies;
import io.deeprec.sched.BatchPolicy;
import io.deeprec.sched.BatchSettings;
import io.deeprec.sched.PolicyConfig;
import io.deeprec.sched.sim.RateSchedule;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Runs {@code deeprec bench}: per model, the offline peak, then the LBT search of every policy on
 * the in-process harness (a fresh policy instance per probe, measured once it has settled), the
 * oracle sweep of fixed batch sizes, an online load-step
 * run of deeprecsched, and the LBT search through Kafka + Flink for the models asked. Prints a
 * line per probe while it runs.
 */
public final class BenchRunner {
  /** Mean query items estimated from a large sample of the size distribution. */
  private static final int SIZE_SAMPLE = 200_000;
  /** The search starts at this share of the offline peak, where most policies are feasible. */
  private static final double START_SHARE_OF_PEAK = 0.4;
  private static final double MIN_QPS = 0.5;
  private static final double LOWEST_SHARE_OF_START = 16;

  /** Called with every result so far after each model and each Flink + Kafka search. */
  @FunctionalInterface
  public interface Checkpoint {
    void save(List<ModelResult> resultsSoFar) throws IOException;
  }

  private static final int BAR_WIDTH = 30;
  /** The verification probes deeprecsched and the oracle at this share of the oracle's LBT. */
  public static final double VERIFY_SHARE = 0.95;
  /** Grid factor of the confirmation searches, which start near the answer. */
  private static final double CONFIRM_GROWTH = 1.25;

  private final BenchConfig config;
  private final PrintStream out;
  private final Checkpoint checkpoint;
  private final long startedNanos = System.nanoTime();
  private int searchesDone;

  /** @param checkpoint saves partial results, so a long run that fails later keeps what it measured */
  public BenchRunner(BenchConfig config, PrintStream out, Checkpoint checkpoint) {
    this.config = config;
    this.out = out;
    this.checkpoint = checkpoint;
  }

  public List<ModelResult> run() throws Exception {
    Files.createDirectories(config.output());
    QuerySizes sizes = QuerySizes.parse(config.sizes());
    double meanItems = meanItems(sizes);
    List<ModelResult> results = new ArrayList<>();
    try (InferenceWorkers.Lease lease = InferenceWorkers.acquire(config.workers())) {
      InferenceWorkers workers = lease.workers();
      int index = 0;
      for (ModelId id : config.models()) {
        index++;
        double target = config.targetMs(id);
        ModelResult result = new ModelResult(id, target);
        results.add(result);
        String tag = String.format(Locale.ROOT, "[%d/%d %s]", index, config.models().size(), id.cliName());
        try (ModelRegistry.Lease model = ModelRegistry.acquire(ModelKey.random(id, config.tableScale(), config.seed()))) {
          runModel(tag, model.model(), workers, sizes, meanItems, target, result);
        }
        checkpoint.save(results);
        out.printf(Locale.ROOT, "%s done; %.0f s elapsed%n", tag, (System.nanoTime() - startedNanos) / 1e9);
      }
    }
    if (!config.flinkModels().isEmpty() && config.verifyAgainst() == null) {
      runFlink(results, sizes);
    }
    return results;
  }

  private void runModel(String tag, RecModel model, InferenceWorkers workers, QuerySizes sizes, double meanItems,
      double target, ModelResult result) throws IOException, InterruptedException {
    out.printf(Locale.ROOT, "%s %s, p95 target %.0f ms, %d workers: warming up ...%n", tag, model.spec().describe(), target,
        workers.workerCount());
    InProcessHarness harness = new InProcessHarness(model, workers, sizes, config.seed());
    OfflinePeak peak = profile(harness, meanItems, config.profileSecondsPerSize(), config.peakSeconds(), profileDir(), null);
    result.peak = peak;
    out.printf(Locale.ROOT, "%s offline peak %.0f items/s = %.1f queries/s at batch %d (%d workers, no latency bound)%n",
        tag, peak.itemsPerSecond(), peak.queriesPerSecond(), peak.bestBatch(), workers.workerCount());
    out.printf(Locale.ROOT, "%s pool curve (batch: ms per request, items/s): %s%n", tag, peak.profile().stream()
        .map(r -> String.format(Locale.ROOT, "%d: %.2f, %.0f", r.batchSize(), r.medianMs(), r.itemsPerSecond()))
        .collect(java.util.stream.Collectors.joining("; ")));
    // Worker time per request with every worker busy (workers x batch / items per second), not the
    // median model call: it includes each request's dispatch and hand-off, which the median misses
    // and which make splitting into small requests look cheaper than it is (rmc1: 0.42 ms median
    // at 16 items, 0.49 ms of worker time).
    Map<Integer, Double> profileMs = new TreeMap<>();
    // A size that completed nothing in its time budget (rmc2 at 1024: one request takes ~1 s) has no
    // throughput to read; the curve extends its neighbours' slope there instead.
    peak.profile().stream().filter(row -> row.itemsPerSecond() > 0).forEach(row -> profileMs.put(row.batchSize(),
        Math.max(row.medianMs(), workers.workerCount() * row.batchSize() * 1000.0 / row.itemsPerSecond())));
    PolicyConfig policyConfig = new PolicyConfig(target, config.fixedBatchSize(), config.maxQueueDelayMs(),
        workers.workerCount(), false, profileMs);
    InProcessHarness.Plan plan = withTarget(target, true);
    InProcessHarness.Plan lean = withTarget(target, false);
    double start = Math.max(MIN_QPS * 2, peak.queriesPerSecond() * START_SHARE_OF_PEAK);
    LbtSearch search = search(start);
    if (config.verifyAgainst() != null) {
      PolicyResult earlier = earlierOracle(model.spec().id());
      result.oracle.put(oracleBatch(earlier.policy()), earlier);
      if (config.verifyRepeats() > 0) {
        result.verification = verify(tag, harness, policyConfig, earlier, lean);
      }
      if (config.confirmRounds() > 0) {
        result.confirmation = confirm(tag, harness, policyConfig, earlier, lean);
      }
      return;
    }

    for (String name : config.policies()) {
      // A fresh instance per probe: the policy as deployed at that load, given time to settle (an
      // adaptive one's history from other rates would otherwise decide for it; the load-step run
      // shows it following a change of load).
      LbtSearch.Result<Probe> found = search.search(start,
          qps -> progress(tag, name, harness.probe(BatchPolicies.create(name, policyConfig), qps, plan)));
      searchDone();
      PolicyResult r = PolicyResult.of(name, found);
      result.inProcess.put(name, r);
      if (found.atLbt() != null) {
        result.latenciesAtLbt.put(name, found.atLbt().latenciesMs());
      }
      out.printf(Locale.ROOT, "%s %-12s LBT %.1f queries/s (p95 %.1f ms, batch %d) after %d probes%n", tag, name,
          r.lbtQps(), r.p95Ms(), r.batchSize(), r.probes());
    }
    for (int batch : config.oracleBatchSizes()) {
      String name = "fixed-" + batch;
      BatchPolicy policy = BatchPolicies.create("fixed", policyConfig.withBatchSize(batch));
      LbtSearch.Result<Probe> found = search.search(start, qps -> progress(tag, name, harness.probe(policy, qps, lean)));
      searchDone();
      result.oracle.put(batch, PolicyResult.of(name, found));
    }
    PolicyResult best = result.bestOracle();
    if (best != null) {
      out.printf(Locale.ROOT, "%s oracle: %s with LBT %.1f queries/s%n", tag, best.policy(), best.lbtQps());
    }
    if (best != null && best.lbtQps() > 0 && config.verifyRepeats() > 0) {
      result.verification = verify(tag, harness, policyConfig, best, lean);
    }
    if (best != null && best.lbtQps() > 0 && config.confirmRounds() > 0 && config.policies().contains("deeprecsched")) {
      result.confirmation = confirm(tag, harness, policyConfig, best, lean);
    }
    PolicyResult sched = result.inProcess.get("deeprecsched");
    if (config.stepSeconds() > 0 && sched != null && sched.lbtQps() > 0) {
      result.stepRun = stepRun(tag, harness, policyConfig, sched.lbtQps(), target);
    }
  }

  /**
   * Probes a fresh deeprecsched and the oracle's fixed size at {@value #VERIFY_SHARE} x the oracle's
   * LBT, interleaved (drift hits both alike), {@code verifyRepeats} times each, with new arrivals
   * each time; deeprecsched's instance lives through its probes.
   */
  private BenchResults.Verification verify(String tag, InProcessHarness harness, PolicyConfig policyConfig,
      PolicyResult oracle, InProcessHarness.Plan lean) {
    double rate = VERIFY_SHARE * oracle.lbtQps();
    int batch = oracleBatch(oracle.policy());
    BatchPolicy sched = BatchPolicies.create("deeprecsched", policyConfig);
    BatchPolicy fixed = BatchPolicies.create("fixed", policyConfig.withBatchSize(batch));
    int schedHeld = 0;
    int oracleHeld = 0;
    for (int i = 0; i < config.verifyRepeats(); i++) {
      // Both measured at their steady state: the fixed size after the warm-up a settled deeprecsched gets.
      InProcessHarness.Plan plan = lean.withSeed(lean.seed() + 7919L * (i + 1)).withSteadyStateWarmup();
      schedHeld += progress(tag, "verify-sched", harness.probe(sched, rate, plan)).feasible() ? 1 : 0;
      oracleHeld += progress(tag, "verify-" + batch, harness.probe(fixed, rate, plan)).feasible() ? 1 : 0;
    }
    BenchResults.Verification verification = new BenchResults.Verification(oracle.policy(), oracle.lbtQps(), rate,
        config.verifyRepeats(), schedHeld, oracleHeld);
    out.printf(Locale.ROOT, "%s verify %s%n", tag, verification.summary());
    return verification;
  }

  /**
   * Rounds of paired LBT searches of deeprecsched and the oracle's fixed size, their probes taking
   * turns (so that the machine's drift hits both alike), each round on its own arrivals. The searches start at the oracle's sweep LBT with a finer grid
   * ({@value #CONFIRM_GROWTH}x), since the answer is known to be near it. One deeprecsched instance
   * lives through each search, as deployed under a load that moves: it tunes itself at the first
   * rate, near the LBT, keeps that choice for later rates within its load-change fraction and
   * explores again beyond it (a fresh instance per probe, as in the main search, would climb anew
   * at every rate and cost several times more). Both are measured at their steady state: the fixed
   * size after the warm-up and drain that a settled deeprecsched gets, not from an empty queue.
   */
  private BenchResults.Confirmation confirm(String tag, InProcessHarness harness, PolicyConfig policyConfig,
      PolicyResult oracle, InProcessHarness.Plan lean) throws InterruptedException {
    int batch = oracleBatch(oracle.policy());
    LbtSearch search = new LbtSearch(Math.min(config.growth(), CONFIRM_GROWTH), config.precision(),
        Math.max(MIN_QPS, oracle.lbtQps() / LOWEST_SHARE_OF_START));
    int rounds = config.confirmRounds();
    double[] sched = new double[rounds];
    double[] fixed = new double[rounds];
    for (int i = 0; i < rounds; i++) {
      InProcessHarness.Plan plan = lean.withSeed(lean.seed() + 104_729L * (i + 1)).withSteadyStateWarmup();
      String round = "round " + (i + 1) + "/" + rounds;
      BatchPolicy schedPolicy = BatchPolicies.create("deeprecsched", policyConfig);
      BatchPolicy fixedPolicy = BatchPolicies.create("fixed", policyConfig.withBatchSize(batch));
      double[] lbts = TakingTurns.run(
          turn -> search.search(oracle.lbtQps(), qps -> turn.take(() -> progress(tag, "confirm-sched",
              harness.probe(schedPolicy, qps, plan)))).lbtQps(),
          turn -> search.search(oracle.lbtQps(), qps -> turn.take(() -> progress(tag, "confirm-" + batch,
              harness.probe(fixedPolicy, qps, plan)))).lbtQps());
      sched[i] = lbts[0];
      fixed[i] = lbts[1];
      searchDone();
      searchDone();
      out.printf(Locale.ROOT, "%s confirm %s: deeprecsched LBT %.1f, %s LBT %.1f queries/s%n", tag, round, sched[i],
          oracle.policy(), fixed[i]);
    }
    BenchResults.Confirmation confirmation = new BenchResults.Confirmation(oracle.policy(), sched, fixed);
    out.printf(Locale.ROOT, "%s confirm %s%n", tag, confirmation.summary());
    return confirmation;
  }

  /** B of an oracle point named {@code fixed-B}. */
  private static int oracleBatch(String oraclePolicy) {
    return Integer.parseInt(oraclePolicy.substring("fixed-".length()));
  }

  /** The oracle of {@code model} in the earlier run's models.csv ({@code oracle_policy}, {@code oracle_lbt_qps}). */
  private PolicyResult earlierOracle(ModelId model) throws IOException {
    List<String> lines = Files.readAllLines(config.verifyAgainst());
    List<String> header = List.of(lines.get(0).split(",", -1));
    int modelCol = header.indexOf("model");
    int policyCol = header.indexOf("oracle_policy");
    int lbtCol = header.indexOf("oracle_lbt_qps");
    if (modelCol < 0 || policyCol < 0 || lbtCol < 0) {
      throw new IllegalArgumentException(config.verifyAgainst() + " is not a models.csv of deeprec bench (header: "
          + lines.get(0) + ")");
    }
    for (String line : lines.subList(1, lines.size())) {
      String[] cells = line.split(",", -1);
      if (cells[modelCol].equals(model.cliName())) {
        if (!cells[policyCol].startsWith("fixed-") || !(Double.parseDouble(cells[lbtCol]) > 0)) {
          throw new IllegalArgumentException(config.verifyAgainst() + " has no oracle with an LBT for " + model.cliName());
        }
        return new PolicyResult(cells[policyCol], Double.parseDouble(cells[lbtCol]), Double.NaN, Double.NaN, Double.NaN,
            oracleBatch(cells[policyCol]), Double.NaN, 0);
      }
    }
    throw new IllegalArgumentException(config.verifyAgainst() + " has no row for " + model.cliName());
  }

  /** deeprecsched under a load step from 40% to 80% of its LBT halfway through: batch size and p95 over time. */
  private Probe stepRun(String tag, InProcessHarness harness, PolicyConfig policyConfig, double lbt, double target) {
    double half = config.stepSeconds() / 2;
    RateSchedule rates = RateSchedule.step(0.4 * lbt, half * 1000, 0.8 * lbt);
    InProcessHarness.Plan plan = new InProcessHarness.Plan(target, half, half, 1, 1, config.seed(), false)
        .withFeedbackWindowMs(config.plan().feedbackWindowMs());
    BatchPolicy policy = BatchPolicies.create("deeprecsched", policyConfig);
    Probe run = harness.run(policy, rates, 0.8 * lbt, plan);
    out.printf(Locale.ROOT, "%s load step %.1f -> %.1f queries/s: %d feedback windows, batch %d at the end, p95 after the step %.1f ms%n",
        tag, 0.4 * lbt, 0.8 * lbt, run.trace().size(), run.settingsAtEnd().batchSize(), run.p95Ms());
    return run;
  }

  private void runFlink(List<ModelResult> results, QuerySizes sizes) throws Exception {
    out.println("starting the embedded Kafka broker for the Flink + Kafka path ...");
    try (FlinkKafkaPath path = new FlinkKafkaPath()) {
      for (ModelResult result : results) {
        if (!config.flinkModels().contains(result.model)) {
          continue;
        }
        String tag = "[flink " + result.model.cliName() + "]";
        for (String name : config.flinkPolicies()) {
          PolicyResult inProcess = result.inProcess.get(name);
          double start = inProcess != null && inProcess.lbtQps() > 0 ? inProcess.lbtQps()
              : Math.max(MIN_QPS * 2, result.peak.queriesPerSecond() * START_SHARE_OF_PEAK);
          LbtSearch search = search(start);
          out.printf(Locale.ROOT, "%s starting the job with policy %s ...%n", tag, name);
          try {
            flinkSearch(path, result, name, search, start, sizes, tag, inProcess);
          } catch (Exception e) {
            // One failed job loses its own row, not the rest of a long run.
            out.printf(Locale.ROOT, "%s %s failed: %s%n", tag, name, e);
          }
          searchDone();
          checkpoint.save(results);
        }
      }
    }
  }

  private void flinkSearch(FlinkKafkaPath path, ModelResult result, String name, LbtSearch search, double start,
      QuerySizes sizes, String tag, PolicyResult inProcess) throws Exception {
          try (FlinkKafkaPath.Session session = path.open(result.model.cliName(), null, name, 0, result.targetMs, config.tableScale(),
              config.seed(), config.workers(), config.flinkParallelism(), profileDir())) {
            InProcessHarness.Plan plan = config.plan();
            double measureS = plan.windows() * plan.windowS();
            LbtSearch.Result<Probe> found = search.search(start, qps -> progress(tag, name, session.probe(qps, sizes,
                plan.warmupS(), ServingSimulator.ProbePlan.PRODUCT.backlogDrainMs() / 1000,
                Math.max(measureS, plan.minWindowQueries() * plan.windows() / qps), config.seed())));
            PolicyResult r = PolicyResult.of(name, found);
            result.flink.put(name, r);
            out.printf(Locale.ROOT, "%s %-12s LBT %.1f queries/s (in-process %.1f: ratio %.2f)%n", tag, name, r.lbtQps(),
                inProcess == null ? Double.NaN : inProcess.lbtQps(), result.engineRatio(name));
          }
  }

  /** LBT searches of the whole run: every policy and oracle size per model, and the Flink + Kafka ones. */
  int totalSearches() {
    if (config.verifyAgainst() != null) {
      return config.models().size() * 2 * config.confirmRounds();
    }
    long flinkModels = config.models().stream().filter(config.flinkModels()::contains).count();
    int confirm = config.policies().contains("deeprecsched") && !config.oracleBatchSizes().isEmpty()
        ? 2 * config.confirmRounds() : 0;
    return config.models().size() * (config.policies().size() + config.oracleBatchSizes().size() + confirm)
        + (int) flinkModels * config.flinkPolicies().size();
  }

  /** A progress bar over the run's searches, with the time left estimated from the mean search so far. */
  private void searchDone() {
    searchesDone++;
    printProgress(out, searchesDone, Math.max(totalSearches(), searchesDone), startedNanos);
  }

  /** Prints a progress bar of {@code done} of {@code total} searches with the time left at the mean pace so far. */
  static void printProgress(PrintStream out, int done, int total, long startedNanos) {
    int filled = (int) Math.round((double) BAR_WIDTH * done / total);
    double elapsedS = (System.nanoTime() - startedNanos) / 1e9;
    double leftS = elapsedS / done * (total - done);
    out.printf(Locale.ROOT, "progress [%s%s] %d/%d searches, %.1f min elapsed, about %.1f min left%n", "#".repeat(filled),
        ".".repeat(BAR_WIDTH - filled), done, total, elapsedS / 60, leftS / 60);
    out.flush();
  }

  /**
   * A search that gives up below 1/{@value #LOWEST_SHARE_OF_START} of its start: rates that low take
   * minutes per window to hold enough queries, and a policy missing its target there is reported as 0.
   */
  private LbtSearch search(double start) {
    return new LbtSearch(config.growth(), config.precision(), Math.max(MIN_QPS, start / LOWEST_SHARE_OF_START));
  }

  private Probe progress(String tag, String policy, Probe p) {
    out.printf(Locale.ROOT, "%s   %-12s %8.1f q/s (sent %8.1f)  p50 %7.1f  p95 %7.1f  p99 %7.1f ms  batch %4s  work %6.2f ms/q  %s%n",
        tag, policy, p.askedQps(), p.sentQps(), p.p50Ms(), p.p95Ms(), p.p99Ms(),
        p.settingsAtEnd() == null ? "-" : Integer.toString(p.settingsAtEnd().batchSize()), p.workMsPerQuery(),
        p.feasible() ? "meets target" : p.overloaded() ? "overloaded" : "misses target");
    if (p.trace().stream().mapToInt(Probe.TracePoint::batchSize).distinct().count() > 1) {
      out.printf(Locale.ROOT, "%s       batch sizes over the probe (size x feedback windows): %s%n", tag, p.batchPath());
    }
    out.flush();
    return p;
  }

  private InProcessHarness.Plan withTarget(double target, boolean keepLatencies) {
    InProcessHarness.Plan p = config.plan();
    return new InProcessHarness.Plan(target, p.warmupS(), p.windowS(), p.windows(), p.minWindowQueries(), p.seed(),
        keepLatencies, false, p.feedbackWindowMs());
  }

  Path profileDir() {
    return config.output().resolve("profiles");
  }

  /**
   * Warms {@code harness}'s model up on its workers, measures the pool curve and the offline peak,
   * and writes the curve to {@code profileDir/<model>-profile.csv} (deeprecsched's seed) and the peak to
   * {@code <model>-peak.csv}; with {@code stored} (a peak measured before), only warms the model up and returns it.
   */
  static OfflinePeak profile(InProcessHarness harness, double meanItems, double secondsPerSize, double peakSeconds,
      Path profileDir, OfflinePeak stored) throws IOException {
    RecModel model = harness.model();
    harness.workers().prepare(model, new BatchSettings(BatchSettings.MAX_BATCH, 0, 0).warmupBatchSizes());
    if (stored != null) {
      return stored;
    }
    List<Integer> batchSizes = BatchProfiler.builder().maxBatch(BatchSettings.MAX_BATCH).build().batchSizes();
    OfflinePeak peak = OfflinePeak.measure(harness, batchSizes, secondsPerSize, peakSeconds, meanItems);
    Files.createDirectories(profileDir);
    peak.write(profileDir, model.spec().name());
    return peak;
  }

  private double meanItems(QuerySizes sizes) {
    return meanItems(sizes, config.seed());
  }

  /** Mean query size of {@code sizes}, from a large seeded sample. */
  static double meanItems(QuerySizes sizes, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    long total = 0;
    for (int i = 0; i < SIZE_SAMPLE; i++) {
      total += sizes.next(random);
    }
    return (double) total / SIZE_SAMPLE;
  }
}

package io.deeprec.job.bench;

import io.deeprec.inference.InferenceWorkers;
import io.deeprec.model.LatencyTier;
import io.deeprec.model.ModelFactory;
import io.deeprec.model.torchscript.ModelManifest;
import io.deeprec.model.ModelId;
import io.deeprec.model.ModelKey;
import io.deeprec.model.ModelRegistry;
import io.deeprec.sched.sim.LbtSearch;
import io.deeprec.workload.QuerySizes;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code deeprec bench}'s default: the latency-bounded throughput (LBT) of every policy and of the
 * oracle sweep of fixed batch sizes, measured through the product. Per model: the embedded broker,
 * the job on a fresh local MiniCluster per search (so a long run cannot wedge one), the open-loop
 * load generator, and end-to-end latency from the producer's send to a results consumer's receipt.
 *
 * <p>A method that survives a noisy machine: an unreported warm-up job per model first; each search is an
 * {@link LbtSearch} whose probe sends an unmeasured warm-up at the rate (an adaptive policy's until its
 * controller is quiet), then
 * {@code windows} consecutive windows judged together on their end-to-end p95; a rate fails only
 * when two probes in a row miss. The contenders take turns in paired rounds, in an order rotated
 * each round, so drift of the machine's speed falls on all of them; the report gives each
 * contender's median LBT over the rounds with its spread, and ratios of medians. The oracle is the
 * fixed size with the best median (static counts as the largest: it never splits a query).
 */
public final class ProductBench {
  /** A probe starts at this share of the offline peak, where most contenders are feasible. */
  private static final double START_SHARE_OF_PEAK = 0.4;
  private static final double MIN_QPS = 0.5;
  /** Probes per rate before it counts as missed: two in a row must miss. */
  private static final int STRIKES = LbtSearch.PRODUCT_STRIKES;

  /**
   * What to measure.
   *
   * @param policies the policies, by CLI name, each optionally with settings of its own as a contender of its own
   *     ({@code deeprecsched@load-change-fraction=0.5}: {@code deeprec.policy.load-change-fraction} set to 0.5)
   * @param oracleSizes the fixed batch sizes of the oracle sweep (empty = no oracle)
   * @param rounds paired rounds (each contender searched once per round)
   * @param windows consecutive measured windows per probe
   * @param windowS seconds per window
   * @param warmupS seconds of unmeasured load before a probe's windows (adaptive policies wait longer, until settled)
   * @param warmupDrainS how much longer a probe's warm-up may go on while the backlog of its queries drains
   *     (ServingSimulator.Warmup); 0: it never waits for a backlog
   * @param growth grid factor of the LBT search
   * @param precision relative bracket width where the search stops
   * @param startQps per-model start rates (else 0.4x the offline peak)
   * @param resume keep the searches already in the output's searches.csv and run only the missing ones (a long
   *     benchmark spread over several sessions)
   * @param withHarness after each search through the product, search the same contender in the in-process harness
   *     (the same serving core, models and workers, no Kafka or Flink) with the same method, written to
   *     {@value #HARNESS_CSV}; the report gives product / harness, the engine's overhead ratio
   */
  public record Config(List<String> models, Map<String, String> modelDirs, List<String> policies,
      List<Integer> oracleSizes, LatencyTier tier, Map<String, Double> targetOverridesMs, double tableScale, int workers,
      int parallelism, String sizes, int rounds, int windows, double windowS, double warmupS, double warmupDrainS, double growth,
      double precision, Path output, long seed, Map<String, Double> startQps, boolean resume, boolean withHarness) {
    public Config {
      if (models.isEmpty() || policies.isEmpty() && oracleSizes.isEmpty()) {
        throw new IllegalArgumentException("a benchmark needs a model and a policy or an oracle size");
      }
      if (rounds < 1 || windows < 1 || !(windowS > 0) || warmupS < 0 || warmupDrainS < 0 || workers < 1
          || parallelism < 1) {
        throw new IllegalArgumentException(
            "need rounds, windows, window seconds, workers, parallelism >= 1 and warm-up and its drain >= 0");
      }
      models = List.copyOf(models);
      modelDirs = Map.copyOf(modelDirs);
      policies = List.copyOf(policies);
      policies.forEach(FlinkKafkaPath::checkPolicy);
      oracleSizes = List.copyOf(oracleSizes);
      targetOverridesMs = Map.copyOf(targetOverridesMs);
      startQps = Map.copyOf(startQps);
    }

    double targetMs(String model) {
      Double override = targetOverridesMs.get(model);
      return override != null ? override : ModelFactory.spec(key(model)).p95TargetMs(tier);
    }

    /** An external model's directory (from --model-dir), or null for a built-in model. */
    String externalDir(String model) {
      String dir = modelDirs.get(model);
      return dir != null && ModelManifest.isExternalModelDir(Path.of(dir)) ? dir : null;
    }

    /** The model benchmarked under {@code model}: an external one from its directory, else a seeded built-in one. */
    ModelKey key(String model) {
      String dir = externalDir(model);
      return dir != null ? ModelKey.external(dir) : ModelKey.random(ModelId.parse(model), tableScale, seed);
    }

    /** Policies, then the oracle's fixed sizes as {@code fixed-N}. */
    public List<String> contenders() {
      List<String> all = new ArrayList<>(policies);
      oracleSizes.forEach(size -> all.add(FIXED_PREFIX + size));
      return all;
    }
  }

  static final String FIXED_PREFIX = "fixed-";
  static final String HARNESS_CSV = "harness-searches.csv";

  /** One search's outcome: the LBT, and at it the end-to-end percentiles and the batch size in force. */
  public record Search(String model, int round, String contender, double targetMs, double lbtQps, double e2eP50Ms,
      double e2eP95Ms, double e2eP99Ms, double jobP95Ms, int batchSizeAtLbt, double senderKeptShare, int probes,
      double minutes, double modelCpuShare) {
    static final String HEADER = "model,round,contender,target_ms,lbt_qps,e2e_p50_ms,e2e_p95_ms,e2e_p99_ms,job_p95_ms,"
        + "batch_size_at_lbt,sender_kept_share,probes,minutes,model_cpu_share";

    /** A row of searches.csv, as {@link #csv} writes it; rows written before model_cpu_share have it NaN. */
    static Search parse(String line) {
      String[] f = line.split(",");
      return new Search(f[0], Integer.parseInt(f[1]), f[2], Double.parseDouble(f[3]), Double.parseDouble(f[4]),
          Double.parseDouble(f[5]), Double.parseDouble(f[6]), Double.parseDouble(f[7]), Double.parseDouble(f[8]),
          Integer.parseInt(f[9]), Double.parseDouble(f[10]), Integer.parseInt(f[11]), Double.parseDouble(f[12]),
          f.length > 13 ? Double.parseDouble(f[13]) : Double.NaN);
    }

    boolean sameSearch(String otherModel, int otherRound, String otherContender) {
      return model.equals(otherModel) && round == otherRound && contender.equals(otherContender);
    }

    String csv() {
      return String.format(Locale.ROOT, "%s,%d,%s,%.0f,%.2f,%.1f,%.1f,%.1f,%.1f,%d,%.3f,%d,%.2f,%.3f", model, round,
          contender, targetMs, lbtQps, e2eP50Ms, e2eP95Ms, e2eP99Ms, jobP95Ms, batchSizeAtLbt, senderKeptShare, probes,
          minutes, modelCpuShare);
    }
  }

  private final Config config;
  private final PrintStream out;
  private final long startedNanos = System.nanoTime();
  private final List<Search> searches = new ArrayList<>();
  /** The harness's searches beside the product's (with {@code withHarness}), in the same rows. */
  private final List<Search> harnessSearches = new ArrayList<>();
  private int searchesDone;

  public ProductBench(Config config, PrintStream out) {
    this.config = config;
    this.out = out;
  }

  /** Runs every search; writes {@code searches.csv} as it goes, then the summary and the chart. */
  public List<Search> run() throws Exception {
    Files.createDirectories(config.output());
    Path csv = config.output().resolve("searches.csv");
    readOrStart(csv, searches);
    Path harnessCsv = config.output().resolve(HARNESS_CSV);
    if (config.withHarness()) {
      readOrStart(harnessCsv, harnessSearches);
    }
    QuerySizes sizes = QuerySizes.parse(config.sizes());
    double meanItems = BenchRunner.meanItems(sizes, config.seed());
    out.println("starting the embedded Kafka broker ...");
    try (FlinkKafkaPath path = new FlinkKafkaPath();
        InferenceWorkers.Lease workers = InferenceWorkers.acquire(config.workers())) {
      for (String id : config.models()) {
        if (missingSearches(id) == 0) {
          // Resumed with all of its searches done: nothing to load, only the report to write again.
          searchesDone += config.contenders().size() * config.rounds() * searchesPerTurn();
          continue;
        }
        // Held for the model's searches: every job in this JVM shares the instance instead of rebuilding it.
        try (ModelRegistry.Lease model = ModelRegistry.acquire(config.key(id))) {
          runModel(path, id, new InProcessHarness(model.model(), workers.workers(), sizes, config.seed()), meanItems,
              sizes, csv, harnessCsv);
        }
        ProductReport.write(searches, harnessSearches, config, config.output());
      }
    }
    ProductReport.write(searches, harnessSearches, config, config.output());
    return List.copyOf(searches);
  }

  /** The harness's searches run beside the product's so far (empty without {@code withHarness}). */
  public List<Search> harnessSearches() {
    return List.copyOf(harnessSearches);
  }

  private void readOrStart(Path csv, List<Search> into) throws java.io.IOException {
    if (config.resume() && Files.isRegularFile(csv)) {
      List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
      lines.stream().skip(1).filter(line -> !line.isBlank()).map(Search::parse).forEach(into::add);
      out.printf(Locale.ROOT, "resuming: %d searches already in %s%n", into.size(), csv);
      if (!lines.isEmpty() && !lines.get(0).equals(Search.HEADER)) {
        // Written before a column was added: the same rows under the current header, the new column empty (NaN).
        StringBuilder rewritten = new StringBuilder(Search.HEADER).append('\n');
        into.forEach(s -> rewritten.append(s.csv()).append('\n'));
        Files.writeString(csv, rewritten, StandardCharsets.UTF_8);
      }
    } else {
      Files.writeString(csv, Search.HEADER + "\n", StandardCharsets.UTF_8);
    }
  }

  private static boolean has(List<Search> done, String model, int round, String contender) {
    return done.stream().anyMatch(s -> s.sameSearch(model, round, contender));
  }

  /** Searches per contender and round: the product's, and the harness's beside it. */
  private int searchesPerTurn() {
    return config.withHarness() ? 2 : 1;
  }

  /** Searches of the model not in the output yet (all of them unless resumed). */
  private long missingSearches(String id) {
    long missing = 0;
    for (int round = 1; round <= config.rounds(); round++) {
      for (String contender : config.contenders()) {
        missing += has(searches, id, round, contender) ? 0 : 1;
        missing += config.withHarness() && !has(harnessSearches, id, round, contender) ? 1 : 0;
      }
    }
    return missing;
  }

  private void runModel(FlinkKafkaPath path, String id, InProcessHarness harness, double meanItems, QuerySizes sizes,
      Path csv, Path harnessCsv) throws Exception {
    double target = config.targetMs(id);
    List<String> contenders = config.contenders();
    Path profileDir = config.output().resolve("profiles");
    // A resumed run continues the measurement it resumes: the same deeprecsched seed and the same start rate,
    // not a new offline profile (on a few shared cores it moves from one measurement to the next).
    Optional<OfflinePeak> stored = config.resume() ? OfflinePeak.read(profileDir, harness.model().spec().name())
        : Optional.empty();
    stored.ifPresent(p -> out.printf(Locale.ROOT, "[%s] resuming with the offline profile and peak in %s%n", id, profileDir));
    OfflinePeak peak = BenchRunner.profile(harness, meanItems, 0.4, 3.0, profileDir, stored.orElse(null));
    // Every search of every round starts here: a search started at its contender's own earlier LBT lands near it
    // (the first probes resolve the bracket around it), so its rounds would repeat the first round's luck.
    double start = config.startQps().getOrDefault(id, Math.max(2 * MIN_QPS, START_SHARE_OF_PEAK * peak.queriesPerSecond()));
    out.printf(Locale.ROOT, "[%s] p95 target %.0f ms end to end; offline peak %.1f queries/s; searches start at %.1f%n",
        id, target, peak.queriesPerSecond(), start);
    warmUp(path, id, target, start, profileDir, sizes);
    for (int round = 1; round <= config.rounds(); round++) {
      for (int i = 0; i < contenders.size(); i++) {
        // Rotated each round: no contender always runs first (on a cold machine) or last.
        String contender = contenders.get((i + round - 1) % contenders.size());
        if (has(searches, id, round, contender)) {
          searchesDone++;
        } else {
          productSearch(path, id, round, contender, target, start, profileDir, sizes, csv);
        }
        if (config.withHarness()) {
          if (has(harnessSearches, id, round, contender)) {
            searchesDone++;
          } else {
            harnessSearch(harness, id, round, contender, target, start, profileDir, harnessCsv);
          }
        }
      }
    }
  }

  /** One search through the product; a failed job loses its own row, not the rest of a long run. */
  private void productSearch(FlinkKafkaPath path, String id, int round, String contender, double target,
      double start, Path profileDir, QuerySizes sizes, Path csv) throws Exception {
    Search search;
    try {
      search = search(path, id, round, contender, target, start, profileDir, sizes);
    } catch (Exception e) {
      out.printf(Locale.ROOT, "[%s r%d] %s failed: %s%n", id, round, contender, e);
      return;
    } finally {
      searchesDone++;
      progress();
    }
    keep(search, searches, csv, "LBT", "e2e p50");
  }

  /** Keeps a finished search: in memory, appended to its CSV, and printed. */
  private void keep(Search search, List<Search> into, Path csv, String label,
      String p50Label) throws java.io.IOException {
    into.add(search);
    Files.writeString(csv, search.csv() + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    out.printf(Locale.ROOT, "[%s r%d] %-12s %s %7.1f queries/s  %s %6.1f  p95 %6.1f  p99 %6.1f ms  batch %4d%n",
        search.model(), search.round(), search.contender(), label, search.lbtQps(), p50Label, search.e2eP50Ms(),
        search.e2eP95Ms(), search.e2eP99Ms(), search.batchSizeAtLbt());
  }

  /**
   * The LBT search from {@code start}, a rate failing only when two probes in a row miss; each probe reported,
   * with its own seed from the round's sequence (so the product and the harness of a round see the same ones).
   *
   * @return the search's answer, and the probes it ran
   */
  private Map.Entry<LbtSearch.Result<Probe>, Integer> searchWithStrikes(String tag, String latency, int round, double start,
      java.util.function.BiFunction<Double, Long, Probe> probeAt) {
    long[] probeSeed = {config.seed() + 7919L * round};
    LbtSearch.Result<Probe> found = new LbtSearch(config.growth(), config.precision(), MIN_QPS, STRIKES).search(start,
        qps -> {
          Probe probe = probeAt.apply(qps, probeSeed[0]++);
          report(tag, probe, latency);
          return probe;
        });
    return Map.entry(found, found.probes().size());
  }

  /**
   * The same contender searched in the in-process harness right after its product search, by the same method:
   * the policy the job would build from the same settings (one instance for the whole search, as a job keeps its
   * policy across probes), the same warm-up, windows judged together, two strikes, grid and precision. Only the
   * engine is missing: Kafka, Flink, Avro and the two hops of the control loop.
   */
  private void harnessSearch(InProcessHarness harness, String id, int round, String contender, double target,
      double start, Path profileDir, Path harnessCsv) throws Exception {
    long began = System.nanoTime();
    String tag = String.format(Locale.ROOT, "[%s r%d %s harness]", id, round, contender);
    int batchSize = fixedSize(contender);
    io.deeprec.job.JobSettings serving = io.deeprec.job.JobSettings.from(FlinkKafkaPath.servingConfiguration(id,
        config.externalDir(id), policyName(contender), batchSize, target, config.tableScale(), config.seed(),
        config.workers(), profileDir));
    io.deeprec.sched.BatchPolicy policy = serving.policies().get(id);
    InProcessHarness.Plan plan = new InProcessHarness.Plan(target, config.warmupS(), config.windowS(), config.windows(),
        1, config.seed(), false);
    Map.Entry<LbtSearch.Result<Probe>, Integer> found;
    try {
      found = searchWithStrikes(tag, "in-process", round, start,
          (qps, seed) -> judgedTogether(harness.probe(policy, serving.split(), qps, plan.withSeed(seed)), target));
    } finally {
      searchesDone++;
      progress();
    }
    keep(searchOf(id, round, contender, target, batchSize, found.getKey(), found.getValue(),
        (System.nanoTime() - began) / 60e9), harnessSearches, harnessCsv, "harness LBT",
        "p50");
  }

  /**
   * A harness probe judged as the product judges its probes: on the p95 over all measured windows together, every
   * measured query answered (the harness judges each window on its own).
   */
  static Probe judgedTogether(Probe p, double targetMs) {
    boolean feasible = !p.overloaded() && p.measuredQueries() > 0 && p.p95Ms() <= targetMs;
    return new Probe(p.askedQps(), p.sentQps(), p.measuredQueries(), p.windowP95Ms(), p.p50Ms(), p.p95Ms(), p.p99Ms(),
        p.meanRequestItems(), p.workMsPerQuery(), p.settingsAtEnd(), feasible, p.overloaded(), p.latenciesMs(), p.trace(),
        p.decisionsWhileMeasured(), p.restarts(), p.latestFailure(), p.modelCpuShare(), p.backlogAtStart(),
        p.warmupS());
  }

  /** The policy a contender names, with its settings: {@code fixed-128@KEY=VALUE} is {@code fixed@KEY=VALUE}. */
  static String policyName(String contender) {
    if (!contender.startsWith(FIXED_PREFIX)) {
      return contender;
    }
    int at = contender.indexOf('@');
    return at < 0 ? "fixed" : "fixed" + contender.substring(at);
  }

  /** B of a contender {@code fixed-B} (with or without settings of its own), 0 for a policy. */
  static int fixedSize(String contender) {
    if (!contender.startsWith(FIXED_PREFIX)) {
      return 0;
    }
    int at = contender.indexOf('@');
    return Integer.parseInt(contender.substring(FIXED_PREFIX.length(), at < 0 ? contender.length() : at));
  }

  /** A search's row: its LBT and, at it, the percentiles, the first window's p95 and the batch size in force. */
  private static Search searchOf(String id, int round, String contender, double target, int batchSize,
      LbtSearch.Result<Probe> found, int probes, double minutes) {
    Probe at = found.atLbt();
    if (at == null) {
      return new Search(id, round, contender, target, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, Double.NaN,
          probes, minutes, Double.NaN);
    }
    return new Search(id, round, contender, target, found.lbtQps(), at.p50Ms(), at.p95Ms(), at.p99Ms(),
        at.windowP95Ms().isEmpty() ? Double.NaN : at.windowP95Ms().get(0),
        at.settingsAtEnd() == null ? batchSize : at.settingsAtEnd().batchSize(), at.sentQps() / at.askedQps(), probes,
        minutes, at.modelCpuShare());
  }

  /**
   * One unreported probe of a static job at the start rate: the first job of a model pays the JVM's warm-up (JIT
   * of the path, the broker's first segments, the model's first calls), which otherwise falls on whichever
   * contender runs first in round 1.
   */
  private void warmUp(FlinkKafkaPath path, String id, double target, double start, Path profileDir, QuerySizes sizes)
      throws Exception {
    out.printf(Locale.ROOT, "[%s] warm-up job at %.1f queries/s (not reported) ...%n", id, start);
    try (FlinkKafkaPath.Session session = path.open(id, config.externalDir(id), "static", 0, target, config.tableScale(), config.seed(),
        config.workers(), config.parallelism(), profileDir)) {
      report("[" + id + " warm-up]", session.probe(start, sizes, config.warmupS(), config.warmupDrainS(),
          config.windows() * config.windowS(), config.seed() - 1));
    }
  }

  private Search search(FlinkKafkaPath path, String id, int round, String contender, double target, double start,
      Path profileDir, QuerySizes sizes) throws Exception {
    long began = System.nanoTime();
    String policy = policyName(contender);
    int batchSize = fixedSize(contender);
    String tag = String.format(Locale.ROOT, "[%s r%d %s]", id, round, contender);
    out.printf(Locale.ROOT, "%s starting a fresh job ...%n", tag);
    try (FlinkKafkaPath.Session session = path.open(id, config.externalDir(id), policy, batchSize, target, config.tableScale(), config.seed(),
        config.workers(), config.parallelism(), profileDir)) {
      double measureS = config.windows() * config.windowS();
      Map.Entry<LbtSearch.Result<Probe>, Integer> found = searchWithStrikes(tag, "e2e", round, start,
          (qps, seed) -> session.probe(qps, sizes, config.warmupS(), config.warmupDrainS(), measureS, seed));
      return searchOf(id, round, contender, target, batchSize, found.getKey(), found.getValue(),
          (System.nanoTime() - began) / 60e9);
    }
  }

  private void report(String tag, Probe p) {
    report(tag, p, "e2e");
  }

  /** @param latency what the percentiles time: "e2e" through the product, "in-process" in the harness */
  private void report(String tag, Probe p, String latency) {
    out.printf(Locale.ROOT, "%s   %8.1f q/s (sent %8.1f)  %s p50 %7.1f  p95 %7.1f  p99 %7.1f ms  batch %4s  %s%s%n", tag,
        p.askedQps(), p.sentQps(), latency, p.p50Ms(), p.p95Ms(), p.p99Ms(),
        p.settingsAtEnd() == null ? "-" : Integer.toString(p.settingsAtEnd().batchSize()),
        p.feasible() ? "meets target" : p.overloaded() ? "incomplete" : "misses target",
        Double.isFinite(p.modelCpuShare()) ? String.format(Locale.ROOT, "  (model %.2f of the CPU)", p.modelCpuShare())
            : "");
    if (p.backlogAtStart() > 0) {
      out.printf(Locale.ROOT, "%s     %d warm-up queries unanswered when the measured span began, after %.0f s of warm-up%n",
          tag, p.backlogAtStart(), p.warmupS());
    }
    if (!p.decisionsWhileMeasured().isEmpty()) {
      List<String> moves = p.decisionsWhileMeasured();
      out.printf(Locale.ROOT, "%s     the controller decided %d time(s) while measured; last: %s%n", tag, moves.size(),
          moves.get(moves.size() - 1));
    }
    if (p.restarts() > 0) {
      out.printf(Locale.ROOT, "%s     the job FAILED and restarted %d time(s) during this probe; latest failure: %s%n",
          tag, p.restarts(), p.latestFailure());
    }
    out.flush();
  }

  private void progress() {
    BenchRunner.printProgress(out, searchesDone,
        config.models().size() * config.rounds() * config.contenders().size() * searchesPerTurn(), startedNanos);
  }

  /** The median of {@code values} (NaN when empty). */
  static double median(double[] values) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }
}

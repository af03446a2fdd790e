package io.deeprec.job.cli;

import io.deeprec.job.bench.BenchCharts;
import io.deeprec.job.bench.BenchConfig;
import io.deeprec.job.bench.BenchReport;
import io.deeprec.job.bench.BenchResults;
import io.deeprec.job.bench.BenchRunner;
import io.deeprec.job.bench.InProcessHarness;
import io.deeprec.job.bench.ProductBench;
import io.deeprec.job.bench.ProductReport;
import io.deeprec.model.LatencyTier;
import io.deeprec.model.ModelId;
import io.deeprec.sched.BatchPolicies;
import io.deeprec.sched.sim.LbtSearch;
import io.deeprec.sched.sim.ServingSimulator;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code deeprec bench}: the latency-bounded throughput of every policy and of the oracle sweep of
 * fixed batch sizes, per model, measured through the product by default ({@link ProductBench}:
 * Kafka -> the job on a local MiniCluster -> Kafka, end to end, in paired rounds). {@code --harness}
 * runs the in-process diagnostic instead (the job's serving core and real models, no Kafka or
 * Flink), whose LBT beside the product's gives the engine's overhead ratio.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Search the latency-bounded throughput of each policy per model through Kafka + Flink (end to end); "
        + "write CSV, Markdown and PNG charts.")
public final class BenchCommand implements Callable<Integer> {

  @Option(names = "--harness", description = "Run the in-process harness (no Kafka, no Flink) instead of the product: a "
      + "diagnostic of the engine's overhead, never the headline.")
  boolean harness;

  @Option(names = "--with-harness", description = "Product: after each search, search the same contender in the "
      + "in-process harness by the same method and report product / harness LBT, the engine's overhead ratio "
      + "(harness-searches.csv; about half again the run's time).")
  boolean withHarness;

  @Option(names = "--rounds", defaultValue = "3",
      description = "Product: paired rounds; each contender is searched once per round, in an order rotated each round "
          + "(default: ${DEFAULT-VALUE}; --quick: 1).")
  int rounds;

  @Option(names = "--start-qps", paramLabel = "MODEL=QPS",
      description = "Product: the rate a model's searches start at (default: 0.4 x its offline peak; repeatable).")
  java.util.Map<String, Double> startQps;

  @Option(names = "--models", split = ",", description = "Models, comma-separated, or all (default: all; --quick: "
      + "rmc1 through the product, ncf with --harness).")
  List<String> models;

  @Option(names = "--model-dir", paramLabel = "MODEL=DIR", description = "Benchmark the external TorchScript model in DIR "
      + "(model.pt + deeprec-model.json) under MODEL, named in --models too (repeatable; through the product only).")
  java.util.Map<String, String> modelDirs;

  @Option(names = "--policies", split = ",", description = "Policies (default: product: static, timeout, aimd, "
      + "deeprecsched; --harness: " + BatchPolicies.VALID_NAMES + "). Product: a policy with settings of its own is a "
      + "contender of its own, NAME@KEY=VALUE[@KEY=VALUE...], each KEY a deeprec.policy.* option without that prefix "
      + "or deeprec.batch.split in full (deeprecsched@load-change-fraction=0.5 beside deeprecsched compares the two "
      + "side by side); NAME may be fixed-B (fixed-128@deeprec.batch.split=balanced beside the oracle's fixed-128).")
  List<String> policies;

  @Option(names = "--tier", defaultValue = "medium", description = "Target tier: low, medium, high (default: ${DEFAULT-VALUE}).")
  String tier;

  @Option(names = "--target", paramLabel = "MODEL=MS", description = "p95 target in ms for a model, overriding the tier (repeatable).")
  java.util.Map<String, Double> targets;

  /** The reference's table sizes: the embedding gathers miss the cache as they do in production. */
  static final double TABLE_SCALE = 1.0;
  static final double QUICK_TABLE_SCALE = 0.002;

  @Option(names = "--table-scale",
      description = "Factor on embedding rows, (0, 1]; 1 = the reference's sizes, one model's tables (up to 4.1 GB) "
          + "in memory at a time (default: 1; --quick: 0.002).")
  Double tableScale;

  @Option(names = "--workers", description = "CPU inference workers (default: one per core).")
  Integer workers;

  @Option(names = "--sizes", defaultValue = "lognormal", description = "Query sizes (default: ${DEFAULT-VALUE}).")
  String sizes;

  @Option(names = "--batch-size", defaultValue = "64",
      description = "Batch size of fixed, max batch of timeout (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--max-queue-delay-ms", defaultValue = "2", description = "Max queue delay of timeout, ms (default: ${DEFAULT-VALUE}).")
  long maxQueueDelayMs;

  @Option(names = "--warmup", description = "Seconds of load before measuring each rate (default: product 5, harness 2; "
      + "--quick: 0.5; adaptive policies are measured once settled).")
  Double warmupS;

  @Option(names = "--warmup-drain", description = "Through the product: seconds a probe's warm-up may go on past its "
      + "shortest while the backlog of its queries (unanswered beyond rate x target) shrinks, so the measured queries do "
      + "not start behind the probe before's leftovers (default: 30; --quick: 2; 0: never waits).")
  Double warmupDrainS;

  @Option(names = "--window", description = "Seconds per measured window (default: product 5, harness 1.5; --quick: 0.5).")
  Double windowS;

  @Option(names = "--windows", description = "Consecutive windows per probe, judged together (product) or each (harness) "
      + "(default: 3; --quick: 2).")
  Integer windows;

  @Option(names = "--min-window-queries", defaultValue = "60",
      description = "Windows are stretched to hold this many arrivals (default: ${DEFAULT-VALUE}).")
  int minWindowQueries;

  @Option(names = "--precision", description = "Bisection stops at this relative bracket width (default: 0.04, fine enough to tell "
      + "0.95x from 1x; --quick: 0.2).")
  Double precision;

  @Option(names = "--oracle", description = "Harness: also sweep fixed batch sizes for the oracle (the product always does).")
  boolean oracle;

  @Option(names = "--oracle-sizes", split = ",",
      description = "Fixed batch sizes of the oracle sweep (default: product " + PRODUCT_ORACLE_SIZES + ", with static as "
          + "the largest size; harness "
          + HARNESS_ORACLE_SIZES + "; 84 splits a typical query in two; the pool curve printed per model shows which "
          + "sizes are worth sweeping; 'none': no sweep, the policies alone).")
  List<String> oracleSizes;

  /** {@code --oracle-sizes} as batch sizes (empty for {@code none}), or {@code defaults} when not given. */
  private List<Integer> oracleSizes(String defaults) {
    return parseOracleSizes(oracleSizes != null ? oracleSizes : List.of(defaults.split(",")));
  }

  /** Batch sizes ({@code 256,128}), or none at all for {@code none}; anything else is refused by name. */
  static List<Integer> parseOracleSizes(List<String> values) {
    if (values.size() == 1 && values.get(0).trim().equalsIgnoreCase("none")) {
      return List.of();
    }
    List<Integer> sizes = new ArrayList<>();
    for (String value : values) {
      int size;
      try {
        size = Integer.parseInt(value.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--oracle-sizes takes batch sizes (256,128) or 'none': '" + value + "'");
      }
      if (size < 1) {
        throw new IllegalArgumentException("--oracle-sizes: a batch size must be >= 1: " + size);
      }
      sizes.add(size);
    }
    return sizes;
  }

  static final String PRODUCT_ORACLE_SIZES = "256,128,64";
  static final String HARNESS_ORACLE_SIZES = "1024,256,128,84,64,32,16,8,4";
  static final String PRODUCT_POLICIES = "static,timeout,aimd,deeprecsched";

  @Option(names = "--verify-repeats", defaultValue = "3",
      description = "With --oracle: probes each of a fresh deeprecsched and the oracle's batch size, interleaved, at 0.95 x "
          + "the oracle's LBT (default: ${DEFAULT-VALUE}; 0 = none).")
  int verifyRepeats;

  @Option(names = "--confirm-rounds", defaultValue = "2",
      description = "With --oracle: rounds of paired LBT searches, deeprecsched then the oracle's batch size, each with "
          + "new arrivals; their medians give deeprecsched / oracle free of the sweep's selection bias "
          + "(default: ${DEFAULT-VALUE}; 0 = none).")
  int confirmRounds;

  @Option(names = "--verify-against", paramLabel = "MODELS_CSV",
      description = "Skip the searches: against the oracle (batch size and LBT) of an earlier run's models.csv, run the "
          + "verification probes (--verify-repeats) and the paired confirmation searches (--confirm-rounds), for the "
          + "--models given.")
  Path verifyAgainst;

  @Option(names = "--step-seconds", description = "Length of deeprecsched's online load-step run (default: 20; --quick: 4; 0 = none).")
  Double stepSeconds;

  @Option(names = "--flink-models", split = ",", description = "Models also searched through Kafka + Flink (default: none).")
  List<String> flinkModels;

  @Option(names = "--flink-policies", split = ",", defaultValue = "static,deeprecsched",
      description = "Policies searched through Kafka + Flink (default: ${DEFAULT-VALUE}).")
  List<String> flinkPolicies;

  @Option(names = "--parallelism", defaultValue = "2", description = "Parallelism of the local Flink job (default: ${DEFAULT-VALUE}).")
  int parallelism;

  @Option(names = "--growth", description = "Grid factor of the LBT search (default: product 1.25, harness 2).")
  Double growth;

  @Option(names = "--output", defaultValue = "bench-results", description = "Output directory (default: ${DEFAULT-VALUE}).")
  Path output;

  @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--resume", description = "Product: keep the searches already in the output's searches.csv and run "
      + "only the missing ones (a long benchmark over several sessions; give the same models, contenders and rounds); "
      + "a model whose offline profile and peak are in the output's profiles/ keeps them, and so its start rate.")
  boolean resume;

  @Option(names = "--quick", description = "Smoke run: tiny tables, one model, short windows, coarse search, one round, "
      + "static and deeprecsched (a few minutes through the product).")
  boolean quick;

  private final PrintStream out = System.out;

  @Override
  public Integer call() throws Exception {
    ModelCommands.configureEngine(null);
    if (harness && withHarness) {
      throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
          "--with-harness runs the harness beside the product; --harness runs it alone: give one");
    }
    if (!harness) {
      return runProduct();
    }
    BenchConfig config = config();
    out.printf(Locale.ROOT, "deeprec bench: models %s, policies %s, tier %s, table scale %s, %d workers, %d cores, output %s%n",
        config.models(), config.policies(), config.tier(), config.tableScale(), config.workers(),
        Runtime.getRuntime().availableProcessors(), config.output());
    String description = describe(config);
    List<BenchResults.ModelResult> results = new BenchRunner(config, out, soFar -> {
      BenchReport.writeAll(soFar, config.output(), description);
      BenchCharts.writeAll(soFar, config.policies(), config.output());
    }).run();
    BenchReport.writeAll(results, config.output(), description);
    BenchReport.printTable(results, config.policies(), out);
    List<Path> charts = BenchCharts.writeAll(results, config.policies(), config.output());
    out.println("wrote " + config.output().resolve("results.csv") + ", models.csv, results.json and " + charts.size()
        + " charts");
    return 0;
  }

  private int runProduct() throws Exception {
    ProductBench.Config config = productConfig();
    out.printf(Locale.ROOT, "deeprec bench (through Kafka + Flink, end to end): models %s, contenders %s, %d round(s), "
        + "tier %s, table scale %s, %d workers, parallelism %d, output %s%n", config.models(), config.contenders(),
        config.rounds(), config.tier(), config.tableScale(), config.workers(), config.parallelism(), config.output());
    ProductBench bench = new ProductBench(config, out);
    List<ProductBench.Search> searches = bench.run();
    out.println();
    List<ProductBench.Search> harnessSearches = bench.harnessSearches();
    out.print(ProductReport.markdown(ProductReport.rows(searches), ProductReport.verdicts(searches),
        ProductReport.harnessRatios(searches, harnessSearches), config));
    out.println("wrote " + config.output().resolve("searches.csv") + ", summary.csv, summary.md and lbt-by-contender.png");
    return 0;
  }

  ProductBench.Config productConfig() {
    // --quick serves rmc1: ncf's 5 ms target is below the end-to-end floor of Kafka + Flink on this machine.
    List<String> ids = new java.util.ArrayList<>();
    for (String name : models != null ? models : List.of(quick ? "rmc1" : "all")) {
      if (modelDirs != null && modelDirs.containsKey(name.trim())) {
        ids.add(name.trim()); // an external model, or a built-in one from a directory
      } else {
        ModelCommands.parseModels(List.of(name)).forEach(id -> ids.add(id.cliName()));
      }
    }
    List<String> names = policies != null ? policies
        : List.of((quick ? "static,deeprecsched" : PRODUCT_POLICIES).split(","));
    List<Integer> sizesToSweep = quick && oracleSizes == null ? List.of() : oracleSizes(PRODUCT_ORACLE_SIZES);
    java.util.Map<String, Double> overrides = new java.util.LinkedHashMap<>();
    if (targets != null) {
      targets.forEach((model, ms) -> overrides.put(ModelId.servedName(model), ms));
    }
    java.util.Map<String, Double> starts = new java.util.LinkedHashMap<>();
    if (startQps != null) {
      startQps.forEach((model, qps) -> starts.put(ModelId.servedName(model), qps));
    }
    return new ProductBench.Config(ids, modelDirs == null ? java.util.Map.of() : modelDirs, names, sizesToSweep, LatencyTier.valueOf(tier.trim().toUpperCase(Locale.ROOT)),
        overrides, or(tableScale, quick ? QUICK_TABLE_SCALE : TABLE_SCALE), workers != null ? workers : Runtime.getRuntime().availableProcessors(),
        parallelism, sizes, quick ? 1 : rounds, windows != null ? windows : quick ? 2 : 3, or(windowS, quick ? 2.0 : 5.0),
        or(warmupS, quick ? 1.0 : 5.0),
        or(warmupDrainS, quick ? 2.0 : ServingSimulator.ProbePlan.PRODUCT.backlogDrainMs() / 1000),
        or(growth, LbtSearch.PRODUCT_GROWTH),
        or(precision, quick ? 0.2 : LbtSearch.PRODUCT_PRECISION), output, seed, starts, resume,
        withHarness);
  }

  BenchConfig config() {
    List<ModelId> ids = ModelCommands.parseModels(models != null ? models : List.of(quick ? "ncf" : "all"));
    List<String> names = policies != null ? policies : BatchPolicies.NAMES;
    List<ModelId> flinkIds = flinkModels == null ? List.of() : ModelCommands.parseModels(flinkModels);
    InProcessHarness.Plan plan = new InProcessHarness.Plan(1.0, or(warmupS, quick ? 0.5 : 2.0), or(windowS, quick ? 0.5 : 1.5),
        windows != null ? windows : quick ? 2 : 3, minWindowQueries, seed, false);
    java.util.Map<ModelId, Double> overrides = new java.util.LinkedHashMap<>();
    if (targets != null) {
      targets.forEach((model, ms) -> overrides.put(ModelId.parse(model), ms));
    }
    return new BenchConfig(ids, new ArrayList<>(names), LatencyTier.valueOf(tier.trim().toUpperCase(Locale.ROOT)), overrides,
        or(tableScale, quick ? QUICK_TABLE_SCALE : TABLE_SCALE), workers != null ? workers : Runtime.getRuntime().availableProcessors(), sizes,
        batchSize, maxQueueDelayMs, plan, or(growth, 2.0), or(precision, quick ? 0.2 : 0.04),
        oracle ? oracleSizes(HARNESS_ORACLE_SIZES) : List.of(),
        quick ? 0.1 : 0.4, quick ? 1.0 : 3.0, or(stepSeconds, quick ? 4.0 : 20.0), flinkIds, flinkPolicies, parallelism,
        output, seed, oracle || verifyAgainst != null ? verifyRepeats : 0, verifyAgainst,
        oracle || verifyAgainst != null ? confirmRounds : 0);
  }

  private String describe(BenchConfig c) {
    return String.format(Locale.ROOT, "deeprec bench%s: tier %s, table scale %s, %d workers on %d cores, warm-up %.1f s, "
        + "%d windows of %.1f s, precision %.2f", quick ? " --quick" : "", c.tier(), c.tableScale(), c.workers(),
        Runtime.getRuntime().availableProcessors(), c.plan().warmupS(), c.plan().windows(), c.plan().windowS(), c.precision());
  }

  private static double or(Double value, double fallback) {
    return value != null ? value : fallback;
  }

}

package io.deeprec.job.cli;

import io.deeprec.job.JobSettings;
import io.deeprec.model.LatencyTier;
import io.deeprec.model.ModelCatalog;
import io.deeprec.model.ModelId;
import io.deeprec.sched.sim.SchedulerAblation;
import io.deeprec.sched.sim.ServingSimulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code deeprec ablation}: DeepRecSched's rules one at a time on the serving simulator with noise (see
 * {@link SchedulerAblation}), and, given measured single-worker curves, a projection of static, the oracle and
 * DeepRecSched onto more workers. Writes markdown tables for docs/scheduler.md.
 */
@Command(name = "ablation", mixinStandardHelpOptions = true,
    description = "Ablate deeprecsched's rules on the noisy serving simulator; project LBT onto more workers.")
public final class AblationCommand implements Callable<Integer> {

  @Option(names = "--seeds", defaultValue = "20", description = "Seeds per shape and variant (default: ${DEFAULT-VALUE}).")
  int seeds;

  @Option(names = "--output", defaultValue = "ablation", description = "Directory for the tables (default: ${DEFAULT-VALUE}).")
  Path output;

  @Option(names = "--variants", split = ",", paramLabel = "NAME",
      description = "Only these variants (names as in the table; 'defaults' is always run). Default: all.")
  List<String> only;

  @Option(names = "--shape", paramLabel = "TEXT",
      description = "Only shapes whose name contains TEXT (repeatable). Default: all.")
  List<String> shapeFilter;

  @Option(names = "--product-search", description = "Also find each variant's LBT as the product's benchmark does (one run "
      + "through all the probes of a search from half the oracle's LBT, two strikes) against the oracle's by the same search.")
  boolean productSearch;

  @Option(names = "--search-start-share", defaultValue = "0.5", description = "With --product-search: where every search "
      + "starts, as a share of the oracle's steady-state LBT, > 0 (default: ${DEFAULT-VALUE}; above 1 starts overloaded).")
  double searchStartShare;

  @Option(names = "--warmup-drain", paramLabel = "SECONDS", description = "With --product-search: how much longer a "
      + "probe's warm-up may go on while its backlog drains, as 'deeprec bench --warmup-drain' (default: the product's, 30).")
  Double warmupDrainS;

  @Option(names = "--split-comparison", description = "Instead of the rules: the two ways of splitting a query "
      + "(deeprec.batch.split: full-first, balanced), each shape's oracle and deeprecsched LBT under each, to split.md.")
  boolean splitComparison;

  @Option(names = "--profile-dir", paramLabel = "DIR",
      description = "Single-worker curves (<model>-profile.csv from 'deeprec profile') to project onto more workers.")
  Path profileDir;

  @Option(names = "--projection-only", description = "Only the projection (needs --profile-dir); no ablation.")
  boolean projectionOnly;

  @Option(names = "--project-workers", split = ",", defaultValue = "2,16,40",
      description = "Worker counts of the projection (default: ${DEFAULT-VALUE}).")
  List<Integer> projectWorkers;

  @Override
  public Integer call() throws Exception {
    if (seeds < 1) {
      throw new IllegalArgumentException("--seeds must be >= 1: " + seeds);
    }
    if (!(searchStartShare > 0)) {
      throw new IllegalArgumentException("--search-start-share must be > 0: " + searchStartShare);
    }
    if (projectionOnly && profileDir == null) {
      throw new IllegalArgumentException("--projection-only needs --profile-dir");
    }
    Files.createDirectories(output);
    if (splitComparison) {
      splitComparison();
    } else if (!projectionOnly) {
      ablation();
    }
    if (profileDir != null) {
      Files.writeString(output.resolve("projection.md"), projection());
    }
    System.out.println("wrote " + output.toAbsolutePath());
    return 0;
  }

  private List<SchedulerAblation.Shape> shapes() {
    List<SchedulerAblation.Shape> shapes = SchedulerAblation.shapes().stream()
        .filter(shape -> shapeFilter == null || shapeFilter.stream().anyMatch(shape.name()::contains)).toList();
    if (shapes.isEmpty()) {
      throw new IllegalArgumentException("no shape's name contains any of " + shapeFilter);
    }
    return shapes;
  }

  private void splitComparison() throws java.io.IOException {
    long started = System.nanoTime();
    List<SchedulerAblation.SplitOutcome> outcomes = SchedulerAblation.compareSplits(shapes(), seeds,
        o -> System.out.printf(Locale.ROOT, "%-40s balanced / full-first: oracle %.3f, deeprecsched %.3f (p10 %.3f)  [%.0f s]%n",
            o.shape().name(), o.oracleGain(), o.schedGain(), o.schedGainP10(), (System.nanoTime() - started) / 1e9));
    String table = SchedulerAblation.splitMarkdown(outcomes);
    Files.writeString(output.resolve("split.md"), table);
    System.out.println();
    System.out.print(table);
  }

  private void ablation() throws java.io.IOException {
    List<SchedulerAblation.Variant> variants = new ArrayList<>();
    for (SchedulerAblation.Variant variant : SchedulerAblation.variants()) {
      if (only == null || variant.name().equals("defaults") || only.contains(variant.name())) {
        variants.add(variant);
      }
    }
    long started = System.nanoTime();
    ServingSimulator.ProbePlan plan = ServingSimulator.ProbePlan.PRODUCT;
    if (warmupDrainS != null) {
      if (!(warmupDrainS >= 0)) {
        throw new IllegalArgumentException("--warmup-drain must be >= 0: " + warmupDrainS);
      }
      plan = plan.withWarmup(plan.warmupMs(), warmupDrainS * 1000);
    }
    List<SchedulerAblation.Outcome> outcomes = SchedulerAblation.run(shapes(), variants, seeds, productSearch ? searchStartShare : 0,
        plan,
        o -> System.out.printf(Locale.ROOT, "%-24s %-24s LBT/oracle median %.3f (p10 %.3f), step met %3.0f%%, settle %.0f s%s  [%.0f s]%n",
            o.shape().name(), o.variant().name(), o.medianLbtRatio(), o.p10LbtRatio(), 100 * o.stepMetShare(),
            o.medianSettleSeconds(), productSearch ? String.format(Locale.ROOT, ", by the product's search %.3f (p10 %.3f;"
                + " the oracle by the search / steady state %.3f)", o.medianSearchRatio(), o.p10SearchRatio(),
                o.medianSearchOracleRatio()) : "", (System.nanoTime() - started) / 1e9));
    String table = SchedulerAblation.markdown(outcomes);
    Files.writeString(output.resolve("ablation.md"), table);
    System.out.println();
    System.out.print(table);
  }

  private String projection() {
    StringBuilder md = new StringBuilder("| model | target p95 ms | workers | static LBT | oracle LBT | deeprecsched LBT | "
        + "deeprecsched / static | deeprecsched / oracle |\n|---|---|---|---|---|---|---|---|\n");
    for (ModelId id : ModelId.values()) {
      Path csv = profileDir.resolve(id.cliName() + "-profile.csv");
      if (!Files.isRegularFile(csv)) {
        continue;
      }
      Map<Integer, Double> curve = JobSettings.readProfile(csv);
      double target = ModelCatalog.spec(id).p95TargetMs(LatencyTier.MEDIUM);
      for (int workers : projectWorkers) {
        SchedulerAblation.Projection p = SchedulerAblation.project(id.cliName(), curve, target, workers, seeds);
        String row = String.format(Locale.ROOT, "| %s | %.0f | %d | %.0f | %.0f | %.0f | %s | %s |%n", p.name(), target, workers,
            p.staticLbt(), p.oracleLbt(), p.deepRecSchedLbt(), ratio(p.deepRecSchedLbt(), p.staticLbt()),
            ratio(p.deepRecSchedLbt(), p.oracleLbt()));
        System.out.print(row);
        md.append(row);
      }
    }
    return md.toString();
  }

  /** A ratio of two LBTs; "-" where the denominator meets the target at no rate. */
  private static String ratio(double lbt, double over) {
    return over > 0 ? String.format(Locale.ROOT, "%.2f", lbt / over) : "- (0)";
  }
}

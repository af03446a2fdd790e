package io.deeprec.job.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The product benchmark's report: per model and contender the median LBT over the rounds with its
 * spread, end-to-end percentiles and batch size at the LBT; the oracle (the fixed size with the best
 * median, static counting as the largest size: it never splits); and the ratios the acceptance asks
 * for, as ratios of medians; with the harness run beside the product, the engine's overhead ratio (product LBT /
 * harness LBT, medians over the rounds both searched). Written as {@code summary.csv}, {@code summary.md} and
 * {@code lbt-by-contender.png}.
 */
public final class ProductReport {

  private ProductReport() {}

  /** One contender on one model, over its rounds. */
  public record Row(String model, String contender, double targetMs, double medianLbtQps, double minLbtQps, double maxLbtQps,
      int rounds, double e2eP50Ms, double e2eP95Ms, double e2eP99Ms, String batchSizes, double modelCpuShare) {}

  /**
   * One model's verdicts: ratios of median LBTs (NaN where a side is missing).
   *
   * @param schedOverHeldOutOracle deeprecsched's median over {@link #heldOutOracleQps}: a diagnostic of the
   *     oracle's selection luck, not the acceptance's ratio
   */
  public record Verdict(String model, String oracle, double schedOverOracle, double schedOverStatic,
      double schedOverBestBaseline, double schedOverHeldOutOracle) {}

  /**
   * One contender on one model through the product and in the harness, over the rounds both were searched.
   *
   * @param productOverHarness median product LBT / median harness LBT (NaN when the harness found none)
   */
  public record HarnessRatio(String model, String contender, int rounds, double productMedianQps,
      double harnessMedianQps, double productOverHarness) {}

  /** Product / harness per model and contender, in the product's order, over the rounds both sides have. */
  public static List<HarnessRatio> harnessRatios(List<ProductBench.Search> product, List<ProductBench.Search> harness) {
    List<HarnessRatio> ratios = new ArrayList<>();
    for (Row row : rows(product)) {
      List<ProductBench.Search> beside = harness.stream()
          .filter(h -> h.model().equals(row.model()) && h.contender().equals(row.contender())).toList();
      List<ProductBench.Search> paired = product.stream().filter(p -> beside.stream()
          .anyMatch(h -> h.sameSearch(p.model(), p.round(), p.contender()))).toList();
      if (paired.isEmpty()) {
        continue;
      }
      double productQps = ProductBench.median(paired.stream().mapToDouble(ProductBench.Search::lbtQps).toArray());
      double harnessQps = ProductBench.median(beside.stream()
          .filter(h -> paired.stream().anyMatch(p -> p.round() == h.round()))
          .mapToDouble(ProductBench.Search::lbtQps).toArray());
      ratios.add(new HarnessRatio(row.model(), row.contender(), paired.size(), productQps, harnessQps,
          harnessQps > 0 ? productQps / harnessQps : Double.NaN));
    }
    return ratios;
  }

  public static List<Row> rows(List<ProductBench.Search> searches) {
    Map<String, List<ProductBench.Search>> byKey = searches.stream().collect(Collectors.groupingBy(
        s -> s.model() + "/" + s.contender(), LinkedHashMap::new, Collectors.toList()));
    List<Row> rows = new ArrayList<>();
    for (List<ProductBench.Search> group : byKey.values()) {
      double[] lbts = group.stream().mapToDouble(ProductBench.Search::lbtQps).toArray();
      ProductBench.Search first = group.get(0);
      rows.add(new Row(first.model(), first.contender(), first.targetMs(), ProductBench.median(lbts),
          java.util.Arrays.stream(lbts).min().orElse(Double.NaN), java.util.Arrays.stream(lbts).max().orElse(Double.NaN),
          group.size(), median(group, ProductBench.Search::e2eP50Ms), median(group, ProductBench.Search::e2eP95Ms),
          median(group, ProductBench.Search::e2eP99Ms),
          group.stream().map(s -> Integer.toString(s.batchSizeAtLbt())).collect(Collectors.joining("/")),
          median(group, ProductBench.Search::modelCpuShare)));
    }
    return rows;
  }

  private static double median(List<ProductBench.Search> group, java.util.function.ToDoubleFunction<ProductBench.Search> f) {
    return ProductBench.median(group.stream().mapToDouble(f).filter(Double::isFinite).toArray());
  }

  /** The verdicts from the searches' rows, with the held-out oracle from the searches themselves. */
  public static List<Verdict> verdicts(List<ProductBench.Search> searches) {
    return verdicts(rows(searches), searches);
  }

  static List<Verdict> verdicts(List<Row> rows, List<ProductBench.Search> searches) {
    Map<String, List<Row>> byModel = rows.stream().collect(Collectors.groupingBy(Row::model, LinkedHashMap::new,
        Collectors.toList()));
    List<Verdict> verdicts = new ArrayList<>();
    byModel.forEach((model, group) -> {
      // Static never splits: it is the sweep's largest size (every query fits one request).
      Row oracle = group.stream().filter(r -> isFixedSize(r.contender()))
          .max(java.util.Comparator.comparingDouble(Row::medianLbtQps)).orElse(null);
      double sched = lbt(group, "deeprecsched");
      double baseline = Math.max(nanToZero(lbt(group, "timeout")), nanToZero(lbt(group, "aimd")));
      double heldOut = heldOutOracleQps(searches, model);
      verdicts.add(new Verdict(model, oracle == null ? "" : oracle.contender(),
          oracle == null ? Double.NaN : sched / oracle.medianLbtQps(), sched / lbt(group, "static"),
          baseline > 0 ? sched / baseline : Double.NaN, heldOut > 0 ? sched / heldOut : Double.NaN));
    });
    return verdicts;
  }

  /** A point of the oracle's sweep: static or a plain {@code fixed-B} (one with settings of its own is a variant). */
  private static boolean isFixedSize(String contender) {
    return contender.startsWith(ProductBench.FIXED_PREFIX) && contender.indexOf('@') < 0 || contender.equals("static");
  }

  /**
   * The oracle's LBT with the choice and the measurement on different rounds: for each round, the fixed size with
   * the best median over the other rounds, at its LBT in that round; the median of those. The best of several
   * noisy medians, reported as measured, carries the luck that made it the best; this estimate does not. NaN
   * with fewer than two rounds in which every fixed size was searched.
   */
  static double heldOutOracleQps(List<ProductBench.Search> searches, String model) {
    Map<String, Map<Integer, Double>> bySize = new LinkedHashMap<>();
    searches.stream().filter(s -> s.model().equals(model) && isFixedSize(s.contender())).forEach(s ->
        bySize.computeIfAbsent(s.contender(), k -> new java.util.TreeMap<>()).put(s.round(), s.lbtQps()));
    java.util.Set<Integer> rounds = new java.util.TreeSet<>();
    bySize.values().forEach(byRound -> rounds.addAll(byRound.keySet()));
    rounds.removeIf(round -> bySize.values().stream().anyMatch(byRound -> !byRound.containsKey(round)));
    if (rounds.size() < 2) {
      return Double.NaN;
    }
    double[] heldOut = new double[rounds.size()];
    int i = 0;
    for (int round : rounds) {
      Map<Integer, Double> chosen = null;
      double best = Double.NEGATIVE_INFINITY;
      for (Map<Integer, Double> byRound : bySize.values()) {
        double others = ProductBench.median(rounds.stream().filter(r -> r != round).mapToDouble(byRound::get).toArray());
        if (others > best) {
          best = others;
          chosen = byRound;
        }
      }
      heldOut[i++] = chosen.get(round);
    }
    return ProductBench.median(heldOut);
  }

  private static double nanToZero(double v) {
    return Double.isNaN(v) ? 0 : v;
  }

  private static double lbt(List<Row> group, String contender) {
    return group.stream().filter(r -> r.contender().equals(contender)).mapToDouble(Row::medianLbtQps).findFirst()
        .orElse(Double.NaN);
  }

  static void write(List<ProductBench.Search> searches, List<ProductBench.Search> harness, ProductBench.Config config,
      Path dir) throws IOException {
    if (searches.isEmpty()) {
      return;
    }
    List<Row> rows = rows(searches);
    List<Verdict> verdicts = verdicts(rows, searches);
    StringBuilder csv = new StringBuilder("model,contender,target_ms,rounds,median_lbt_qps,min_lbt_qps,max_lbt_qps,"
        + "e2e_p50_ms,e2e_p95_ms,e2e_p99_ms,batch_sizes_at_lbt,model_cpu_share\n");
    for (Row r : rows) {
      csv.append(String.format(Locale.ROOT, "%s,%s,%.0f,%d,%.2f,%.2f,%.2f,%.1f,%.1f,%.1f,%s,%.3f%n", r.model(),
          r.contender(), r.targetMs(), r.rounds(), r.medianLbtQps(), r.minLbtQps(), r.maxLbtQps(), r.e2eP50Ms(),
          r.e2eP95Ms(), r.e2eP99Ms(), r.batchSizes(), r.modelCpuShare()));
    }
    Files.writeString(dir.resolve("summary.csv"), csv);
    Files.writeString(dir.resolve("summary.md"), markdown(rows, verdicts, harnessRatios(searches, harness), config));
    Map<String, Map<String, Double>> bars = new LinkedHashMap<>();
    for (Row r : rows) {
      bars.computeIfAbsent(r.contender(), k -> new LinkedHashMap<>())
          .put(r.model() + " (" + (int) r.targetMs() + " ms)", r.medianLbtQps());
    }
    BenchCharts.barChart("Latency-bounded throughput through Kafka + Flink (end-to-end p95 <= target), median of rounds",
        "model (p95 target)", "LBT (queries/s)", bars, Double.NaN, dir.resolve("lbt-by-contender.png"));
  }

  public static String markdown(List<Row> rows, List<Verdict> verdicts, List<HarnessRatio> harness,
      ProductBench.Config config) {
    StringBuilder md = new StringBuilder();
    md.append(String.format(Locale.ROOT, "Table scale %s, %d workers, parallelism %d, %d round(s), probes of %d x %.0f s "
            + "windows after %.0f s of warm-up, sizes %s, tier %s.%n%n", config.tableScale(), config.workers(),
        config.parallelism(), config.rounds(), config.windows(), config.windowS(), config.warmupS(), config.sizes(),
        config.tier().name().toLowerCase(Locale.ROOT)));
    md.append("| model | contender | rounds | LBT median (min-max), q/s | e2e p50 / p95 / p99 at LBT, ms | batch size at LBT "
        + "| model's share of the CPU at LBT |\n");
    md.append("|---|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      md.append(String.format(Locale.ROOT, "| %s (%.0f ms) | %s | %d | %.1f (%.1f-%.1f) | %.0f / %.0f / %.0f | %s | %s |%n",
          r.model(), r.targetMs(), r.contender(), r.rounds(), r.medianLbtQps(), r.minLbtQps(), r.maxLbtQps(),
          r.e2eP50Ms(), r.e2eP95Ms(), r.e2eP99Ms(), r.batchSizes(), ratioCell(r.modelCpuShare())));
    }
    md.append("\nThe model's share of the CPU: the inference workers' part of this process's CPU while the LBT probe's "
        + "queries were sent and answered (with the embedded broker the process holds the broker, the job, the load "
        + "generator and the consumer on the same cores; '-' where not measured).\n");
    md.append("\n| model | oracle (best fixed) | deeprecsched / oracle | deeprecsched / static | deeprecsched / best of timeout, aimd "
        + "| deeprecsched / held-out oracle |\n");
    md.append("|---|---|---|---|---|---|\n");
    for (Verdict v : verdicts) {
      md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |%n", v.model(),
          v.oracle().isEmpty() ? "-" : v.oracle(), ratioCell(v.schedOverOracle()), ratioCell(v.schedOverStatic()),
          ratioCell(v.schedOverBestBaseline()), ratioCell(v.schedOverHeldOutOracle())));
    }
    md.append("\nHeld-out oracle, a diagnostic: for each round, the fixed size with the best median over the other "
        + "rounds, at its LBT in that round; the median of those. The oracle above is the best of several noisy "
        + "medians and keeps the luck that made it the best; this one is chosen and measured on different rounds.\n");
    if (!harness.isEmpty()) {
      md.append("\nThe engine's overhead: each search through the product beside the same contender's search in the "
          + "in-process harness (the same serving core, models and workers, no Kafka or Flink), same method.\n\n");
      md.append("| model | contender | rounds | product LBT median, q/s | harness LBT median, q/s | product / harness |\n");
      md.append("|---|---|---|---|---|---|\n");
      for (HarnessRatio h : harness) {
        md.append(String.format(Locale.ROOT, "| %s | %s | %d | %.1f | %.1f | %s |%n", h.model(), h.contender(),
            h.rounds(), h.productMedianQps(), h.harnessMedianQps(), ratioCell(h.productOverHarness())));
      }
    }
    return md.toString();
  }

  /** A ratio for the report's tables: two decimals, "-" where a side was not measured. */
  static String ratioCell(double ratio) {
    return Double.isNaN(ratio) ? "-" : String.format(Locale.ROOT, "%.2f", ratio);
  }
}

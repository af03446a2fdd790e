package io.deeprec.job.bench;

import io.deeprec.job.bench.BenchResults.ModelResult;
import io.deeprec.job.bench.BenchResults.PolicyResult;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Results files ({@code results.csv}, {@code models.csv}, {@code results.json}) and the printed table. */
public final class BenchReport {
  public static final String RESULTS_HEADER =
      "model,target_ms,path,policy,lbt_qps,p50_ms,p95_ms,p99_ms,batch_size,mean_request_items,probes,ratio_to_static";
  public static final String MODELS_HEADER = "model,target_ms,peak_items_per_s,peak_qps,peak_batch,oracle_policy,oracle_lbt_qps,"
      + "deeprecsched_over_oracle,deeprecsched_over_static,deeprecsched_over_peak,best_timeout_aimd_qps,flink_over_in_process,"
      + "verify_qps,verify_repeats,verify_deeprecsched_held,verify_oracle_held,"
      + "confirm_rounds,confirm_deeprecsched_median_qps,confirm_oracle_median_qps,confirm_ratio";

  private BenchReport() {}

  public static void writeAll(List<ModelResult> results, Path dir, String description) throws IOException {
    Files.createDirectories(dir);
    Files.write(dir.resolve("results.csv"), resultsCsv(results), StandardCharsets.UTF_8);
    Files.write(dir.resolve("models.csv"), modelsCsv(results), StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("results.json"), json(results, description), StandardCharsets.UTF_8);
  }

  static List<String> resultsCsv(List<ModelResult> results) {
    List<String> lines = new ArrayList<>();
    lines.add(RESULTS_HEADER);
    for (ModelResult m : results) {
      PolicyResult staticLbt = m.inProcess().get("static");
      rows(lines, m, BenchResults.IN_PROCESS, m.inProcess(), staticLbt);
      Map<String, PolicyResult> oracle = new java.util.LinkedHashMap<>();
      m.oracle().values().forEach(r -> oracle.put(r.policy(), r));
      rows(lines, m, BenchResults.IN_PROCESS, oracle, staticLbt);
      rows(lines, m, BenchResults.FLINK_KAFKA, m.flink(), m.flink().get("static"));
    }
    return lines;
  }

  private static void rows(List<String> lines, ModelResult m, String path, Map<String, PolicyResult> rows, PolicyResult base) {
    for (PolicyResult r : rows.values()) {
      lines.add(String.format(Locale.ROOT, "%s,%.1f,%s,%s,%.2f,%.3f,%.3f,%.3f,%d,%.1f,%d,%.3f", m.model().cliName(),
          m.targetMs(), path, r.policy(), r.lbtQps(), r.p50Ms(), r.p95Ms(), r.p99Ms(), r.batchSize(), r.meanRequestItems(),
          r.probes(), base == null || base.lbtQps() <= 0 ? Double.NaN : r.lbtQps() / base.lbtQps()));
    }
  }

  static List<String> modelsCsv(List<ModelResult> results) {
    List<String> lines = new ArrayList<>();
    lines.add(MODELS_HEADER);
    for (ModelResult m : results) {
      PolicyResult oracle = m.bestOracle();
      OfflinePeak peak = m.peak();
      lines.add(String.format(Locale.ROOT, "%s,%.1f,%.1f,%.2f,%d,%s,%.2f,%.3f,%.3f,%.3f,%.2f,%.3f", m.model().cliName(),
          m.targetMs(), peak == null ? Double.NaN : peak.itemsPerSecond(), peak == null ? Double.NaN : peak.queriesPerSecond(),
          peak == null ? 0 : peak.bestBatch(), oracle == null ? "" : oracle.policy(),
          oracle == null ? Double.NaN : oracle.lbtQps(), m.schedOverOracle(), m.ratioToStatic("deeprecsched"),
          m.overPeak("deeprecsched"), bestOfTimeoutAimd(m), m.engineRatio("deeprecsched"))
          + verificationColumns(m.verification()) + confirmationColumns(m.confirmation()));
    }
    return lines;
  }

  private static String verificationColumns(BenchResults.Verification v) {
    return v == null ? ",,,," : String.format(Locale.ROOT, ",%.2f,%d,%d,%d", v.rateQps(), v.repeats(), v.schedHeld(),
        v.oracleHeld());
  }

  private static String confirmationColumns(BenchResults.Confirmation c) {
    return c == null ? ",,,," : String.format(Locale.ROOT, ",%d,%.2f,%.2f,%.3f", c.schedLbtQps().length,
        c.schedMedianQps(), c.oracleMedianQps(), c.ratio());
  }

  static double bestOfTimeoutAimd(ModelResult m) {
    double best = Double.NaN;
    for (String name : List.of("timeout", "aimd")) {
      PolicyResult r = m.inProcess().get(name);
      if (r != null && !(best >= r.lbtQps())) {
        best = r.lbtQps();
      }
    }
    return best;
  }

  /** The printed summary: LBT per model and policy, ratios to static, oracle, peak and engine overhead. */
  public static void printTable(List<ModelResult> results, List<String> policies, PrintStream out) {
    out.println();
    StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-6s %7s", "model", "target"));
    for (String p : policies) {
      head.append(String.format(Locale.ROOT, " %17s", p));
    }
    head.append(String.format(Locale.ROOT, " %10s %9s %9s %8s %8s", "oracle", "sch/orcl", "peak q/s", "sch/peak", "flk/inp"));
    out.println("latency-bounded throughput, queries/s (x static) on the in-process path");
    out.println(head);
    for (ModelResult m : results) {
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-6s %5.0fms", m.model().cliName(), m.targetMs()));
      for (String p : policies) {
        PolicyResult r = m.inProcess().get(p);
        line.append(r == null ? String.format(Locale.ROOT, " %17s", "-")
            : String.format(Locale.ROOT, " %9.1f (%4.2fx)", r.lbtQps(), m.ratioToStatic(p)));
      }
      PolicyResult oracle = m.bestOracle();
      line.append(String.format(Locale.ROOT, " %10s %9.2f %9.1f %8.2f %8.2f", oracle == null ? "-" : oracle.policy(),
          m.schedOverOracle(), m.peak() == null ? Double.NaN : m.peak().queriesPerSecond(), m.overPeak("deeprecsched"),
          m.engineRatio("deeprecsched")));
      out.println(line);
    }
    for (ModelResult m : results) {
      for (PolicyResult r : m.flink().values()) {
        out.printf(Locale.ROOT, "flink+kafka %-6s %-12s LBT %.1f queries/s, p95 %.1f ms; in-process %.1f: ratio %.2f%n",
            m.model().cliName(), r.policy(), r.lbtQps(), r.p95Ms(),
            m.inProcess().containsKey(r.policy()) ? m.inProcess().get(r.policy()).lbtQps() : Double.NaN,
            m.engineRatio(r.policy()));
      }
    }
    for (ModelResult m : results) {
      BenchResults.Verification v = m.verification();
      if (v != null) {
        out.printf(Locale.ROOT, "verify %-6s %s%n", m.model().cliName(), v.summary());
      }
    }
    for (ModelResult m : results) {
      BenchResults.Confirmation c = m.confirmation();
      if (c != null) {
        out.printf(Locale.ROOT, "confirm %-6s %s%n", m.model().cliName(), c.summary());
      }
    }
  }

  static String json(List<ModelResult> results, String description) {
    StringBuilder json = new StringBuilder("{\n  \"run\": ").append(quote(description)).append(",\n  \"models\": [\n");
    for (int i = 0; i < results.size(); i++) {
      ModelResult m = results.get(i);
      OfflinePeak peak = m.peak();
      json.append("    {\"model\": ").append(quote(m.model().cliName()))
          .append(", \"target_ms\": ").append(num(m.targetMs()));
      if (peak != null) {
        json.append(", \"peak\": {\"items_per_s\": ").append(num(peak.itemsPerSecond())).append(", \"queries_per_s\": ")
            .append(num(peak.queriesPerSecond())).append(", \"batch\": ").append(peak.bestBatch()).append('}');
      }
      json.append(",\n      \"in_process\": ").append(policies(m.inProcess().values()));
      json.append(",\n      \"oracle\": ").append(policies(m.oracle().values()));
      json.append(",\n      \"flink_kafka\": ").append(policies(m.flink().values()));
      json.append(",\n      \"deeprecsched_over_static\": ").append(num(m.ratioToStatic("deeprecsched")))
          .append(", \"deeprecsched_over_oracle\": ").append(num(m.schedOverOracle()))
          .append(", \"deeprecsched_over_peak\": ").append(num(m.overPeak("deeprecsched")))
          .append(", \"flink_over_in_process\": ").append(num(m.engineRatio("deeprecsched")));
      BenchResults.Verification v = m.verification();
      if (v != null) {
        json.append(",\n      \"verification\": {\"oracle\": ").append(quote(v.oraclePolicy())).append(", \"rate_qps\": ")
            .append(num(v.rateQps())).append(", \"repeats\": ").append(v.repeats()).append(", \"deeprecsched_held\": ")
            .append(v.schedHeld()).append(", \"oracle_held\": ").append(v.oracleHeld()).append('}');
      }
      BenchResults.Confirmation c = m.confirmation();
      if (c != null) {
        json.append(",\n      \"confirmation\": {\"oracle\": ").append(quote(c.oraclePolicy()))
            .append(", \"deeprecsched_lbt_qps\": ").append(nums(c.schedLbtQps()))
            .append(", \"oracle_lbt_qps\": ").append(nums(c.oracleLbtQps()))
            .append(", \"ratio_of_medians\": ").append(num(c.ratio())).append('}');
      }
      json.append('}')
          .append(i + 1 < results.size() ? ",\n" : "\n");
    }
    return json.append("  ]\n}\n").toString();
  }

  private static String policies(Iterable<PolicyResult> rows) {
    StringBuilder json = new StringBuilder("[");
    for (PolicyResult r : rows) {
      json.append(json.length() > 1 ? ", " : "").append("{\"policy\": ").append(quote(r.policy()))
          .append(", \"lbt_qps\": ").append(num(r.lbtQps())).append(", \"p50_ms\": ").append(num(r.p50Ms()))
          .append(", \"p95_ms\": ").append(num(r.p95Ms())).append(", \"p99_ms\": ").append(num(r.p99Ms()))
          .append(", \"batch_size\": ").append(r.batchSize()).append(", \"mean_request_items\": ")
          .append(num(r.meanRequestItems())).append(", \"probes\": ").append(r.probes()).append('}');
    }
    return json.append(']').toString();
  }

  private static String nums(double[] values) {
    StringBuilder json = new StringBuilder("[");
    for (double value : values) {
      json.append(json.length() > 1 ? ", " : "").append(num(value));
    }
    return json.append(']').toString();
  }

  private static String num(double value) {
    return Double.isFinite(value) ? String.format(Locale.ROOT, "%.4g", value) : "null";
  }

  private static String quote(String text) {
    return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}

package io.deeprec.job.cli;

import io.deeprec.model.LatencyTier;
import io.deeprec.model.ModelFactory;
import io.deeprec.model.ModelId;
import io.deeprec.model.torchscript.ModelManifest;
import io.deeprec.model.EmbeddingLookup;
import io.deeprec.model.HostMemory;
import io.deeprec.model.ModelKey;
import io.deeprec.model.ModelSpec;
import io.deeprec.model.RecModel;
import io.deeprec.model.profile.BatchProfiler;
import io.deeprec.model.profile.ProfileChart;
import io.deeprec.model.profile.ProfileReport;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code deeprec profile}: a model's per-request latency (p50, p95, p99) and single-worker
 * throughput at batch sizes 1, 2, 4, ... up to {@code --max-batch}, as a table, a CSV and a PNG
 * chart. This is the offline peak that serving benchmarks are compared against, and it shows
 * where batching stops paying for each model.
 */
@Command(name = "profile", mixinStandardHelpOptions = true,
    description = "Measure latency and throughput per batch size; write <model>-profile.csv and .png.")
public final class ProfileCommand implements Callable<Integer> {

  @Option(names = "--model", required = true, split = ",",
      description = "Model(s): rmc1 rmc2 rmc3 wnd mtwnd ncf din dien, comma-separated, or all; or an external "
          + "model's name given with --model-dir.")
  List<String> models;

  @Option(names = "--device", defaultValue = "cpu", description = "cpu, gpu or gpu:N (default: ${DEFAULT-VALUE}).")
  String device;

  @Option(names = "--table-scale", defaultValue = "1.0",
      description = "Factor on embedding rows, (0, 1]; 1 = reference size (RMC1: 4.1 GB) (default: ${DEFAULT-VALUE}).")
  double tableScale;

  @Option(names = "--embedding-lookup", defaultValue = "per-table", paramLabel = "per-table|fused",
      description = "One pooled lookup per table, as the reference, or one fused gather (default: ${DEFAULT-VALUE}).")
  String embeddingLookup;

  @Option(names = "--model-dir", paramLabel = "[MODEL=]DIR", description = "Profile the model in DIR instead of "
      + "random weights: parameters saved by deeprec train, or an external TorchScript model (model.pt + "
      + "deeprec-model.json) named MODEL. Repeatable as MODEL=DIR; a bare DIR applies to the one --model.")
  List<String> modelDirs;

  @Option(names = "--output", defaultValue = "profile", description = "Directory for CSV and PNG (default: ${DEFAULT-VALUE}).")
  Path output;

  @Option(names = "--max-batch", defaultValue = "1024", description = "Largest batch size (default: ${DEFAULT-VALUE}).")
  int maxBatch;

  @Option(names = "--repeats", defaultValue = "50", description = "Timed runs per batch size (default: ${DEFAULT-VALUE}).")
  int repeats;

  @Option(names = "--warmup", defaultValue = "5", description = "Untimed runs per batch size first (default: ${DEFAULT-VALUE}).")
  int warmups;

  @Option(names = "--seconds-per-size", defaultValue = "5",
      description = "Time budget of the timed runs of one batch size, at least 3 runs (default: ${DEFAULT-VALUE}).")
  double secondsPerSize;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of weights and inputs (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--threads",
      description = "PyTorch intra-op threads of the worker (default: 1, one single-threaded worker per core).")
  Integer threads;

  @Option(names = "--compare-with", paramLabel = "DIR",
      description = "Another profile's output directory (e.g. at another table scale or lookup): also write "
          + "<model>-vs-<DIR name>.png with both profiles side by side.")
  Path compareWith;

  @Spec
  CommandSpec spec;

  /** Start-up and memory of each model profiled, one row per model, written as it goes. */
  static final String MEMORY_CSV = "models.csv";
  static final String MEMORY_HEADER = "model,table_scale,embedding_lookup,table_mb,build_s,"
      + "resident_added_mb_after_build,x_tables_after_build,resident_added_mb_after_profiling,x_tables_after_profiling";

  @Override
  public Integer call() throws Exception {
    ModelCommands.configureEngine(threads);
    PrintWriter out = spec.commandLine().getOut();
    Map<String, ModelKey> keys = keys();
    BatchProfiler profiler = BatchProfiler.builder().maxBatch(maxBatch).repeats(repeats).warmups(warmups)
        .secondsPerSize(secondsPerSize).seed(seed).build();
    Map<String, List<BatchProfiler.Row>> all = new LinkedHashMap<>();
    Map<String, Double> targets = new LinkedHashMap<>();
    Files.createDirectories(output);
    Path memoryCsv = output.resolve(MEMORY_CSV);
    Files.writeString(memoryCsv, MEMORY_HEADER + "\n");
    for (Map.Entry<String, ModelKey> entry : keys.entrySet()) {
      String name = entry.getKey();
      ModelKey key = entry.getValue();
      long residentBefore = HostMemory.residentBytes().orElse(-1);
      long start = System.nanoTime();
      try (RecModel model = ModelFactory.create(key, device)) {
        double buildSeconds = (System.nanoTime() - start) / 1e9;
        ModelSpec s = model.spec();
        // An external module's embedding widths are its own: its file's size stands for its tables.
        long tableBytes = s.builtIn() ? s.embeddingBytes()
            : Files.size(Path.of(key.modelDir()).resolve(ModelManifest.MODULE_FILE));
        long resident = HostMemory.residentBytes().orElse(-1);
        out.printf(Locale.ROOT, "%n%s on %s, %d intra-op thread(s), tables %.1f MB, built in %.1f s, "
                + "resident %.1f MB (+%.1f MB for this model, %.2fx its tables)%n", s.describe(),
            model.device(), ModelCommands.intraOpThreads(), tableBytes / 1e6, buildSeconds,
            resident / 1e6, (resident - residentBefore) / 1e6, (resident - residentBefore) / (double) tableBytes);
        out.println(ProfileReport.header());
        out.flush();
        List<BatchProfiler.Row> rows = profiler.profile(model, row -> {
          out.println(ProfileReport.line(row));
          out.flush();
        });
        all.put(name, rows);
        double target = s.p95TargetMs(LatencyTier.MEDIUM);
        targets.put(name, target);
        Path csv = output.resolve(name + "-profile.csv");
        Path png = output.resolve(name + "-profile.png");
        ProfileReport.writeCsv(rows, csv);
        ProfileChart.writePng(String.format(Locale.ROOT, "%s on %s (table scale %s)", name, model.device(),
            s.tableScale()), rows, png, 900, 560);
        BatchProfiler.Row peak = BatchProfiler.peak(rows);
        BatchProfiler.Row knee = BatchProfiler.knee(rows, 0.9);
        out.printf(Locale.ROOT, "peak %.0f items/s at batch %d; 90%% of peak from batch %d (p95 %.2f ms)%n",
            peak.itemsPerSecond(), peak.batchSize(), knee.batchSize(), knee.p95Ms());
        BatchProfiler.Row within = BatchProfiler.bestWithin(rows, target);
        out.printf(Locale.ROOT, "within the %.0f ms p95 target: %s%n", target, within == null ? "no batch size"
            : String.format(Locale.ROOT, "batch %d, %.0f items/s", within.batchSize(), within.itemsPerSecond()));
        long residentAfter = HostMemory.residentBytes().orElse(-1);
        out.printf(Locale.ROOT, "resident after profiling %.1f MB (+%.1f MB over the JVM before the model, %.2fx its tables)%n",
            residentAfter / 1e6, (residentAfter - residentBefore) / 1e6,
            (residentAfter - residentBefore) / (double) tableBytes);
        Files.writeString(memoryCsv, String.format(Locale.ROOT, "%s,%s,%s,%.3f,%.2f,%.1f,%.2f,%.1f,%.2f%n",
            name, s.tableScale(), s.embeddingLookup(), tableBytes / 1e6, buildSeconds,
            (resident - residentBefore) / 1e6, (resident - residentBefore) / (double) tableBytes,
            (residentAfter - residentBefore) / 1e6, (residentAfter - residentBefore) / (double) tableBytes),
            StandardOpenOption.APPEND);
        out.printf("wrote %s and %s%n", csv, png);
        if (compareWith != null) {
          Path other = compareWith.resolve(name + "-profile.csv");
          if (Files.isRegularFile(other)) {
            Map<String, List<BatchProfiler.Row>> both = new LinkedHashMap<>();
            both.put(label(output), rows);
            both.put(label(compareWith), ProfileReport.readCsv(other));
            Path compared = output.resolve(name + "-vs-" + label(compareWith) + ".png");
            ProfileChart.writeComparisonPng(String.format(Locale.ROOT, "%s on %s: %s and %s", name,
                model.device(), label(output), label(compareWith)), both, compared, 900, 560);
            out.printf("wrote %s%n", compared);
          } else {
            out.printf("no %s to compare with%n", other);
          }
        }
      }
    }
    if (all.size() > 1) {
      out.printf("%nsummary (one single-threaded worker; target = medium-tier p95 per request)%n");
      out.printf("%-6s %10s %12s %10s %12s %10s %12s %12s%n", "model", "peak batch", "peak items/s", "90% batch",
          "p95 ms @90%", "target ms", "best batch", "items/s");
      for (Map.Entry<String, List<BatchProfiler.Row>> e : all.entrySet()) {
        List<BatchProfiler.Row> rows = e.getValue();
        BatchProfiler.Row peak = BatchProfiler.peak(rows);
        BatchProfiler.Row knee = BatchProfiler.knee(rows, 0.9);
        double target = targets.get(e.getKey());
        BatchProfiler.Row within = BatchProfiler.bestWithin(rows, target);
        out.printf(Locale.ROOT, "%-6s %10d %12.0f %10d %12.2f %10.0f %12s %12s%n", e.getKey(),
            peak.batchSize(), peak.itemsPerSecond(), knee.batchSize(), knee.p95Ms(), target,
            within == null ? "-" : Integer.toString(within.batchSize()),
            within == null ? "-" : String.format(Locale.ROOT, "%.0f", within.itemsPerSecond()));
      }
    }
    out.flush();
    return 0;
  }

  /** The models to profile by name: built-in ones (seeded or saved) and external ones from --model-dir. */
  private Map<String, ModelKey> keys() {
    Map<String, String> dirs = new LinkedHashMap<>();
    List<String> names = new java.util.ArrayList<>();
    for (String name : models) {
      if (name.trim().equalsIgnoreCase("all")) {
        ModelCommands.parseModels(List.of(name)).forEach(id -> names.add(id.cliName()));
      } else {
        names.add(ModelId.servedName(name));
      }
    }
    for (String value : modelDirs == null ? List.<String>of() : modelDirs) {
      String[] parts = value.split("=", 2);
      if (parts.length == 2) {
        dirs.put(ModelId.servedName(parts[0]), parts[1].trim());
      } else if (names.size() == 1) {
        dirs.put(names.get(0), value.trim());
      } else {
        throw new IllegalArgumentException("--model-dir " + value + ": name the model (MODEL=DIR) when profiling several");
      }
    }
    Map<String, ModelKey> keys = new LinkedHashMap<>();
    for (String name : names) {
      String dir = dirs.remove(name);
      if (dir != null && ModelManifest.isExternalModelDir(Path.of(dir))) {
        ModelManifest.readServedAs(Path.of(dir), name);
        keys.put(name, ModelKey.external(dir));
      } else {
        keys.put(name, new ModelKey(ModelId.parse(name), tableScale, seed, dir, EmbeddingLookup.parse(embeddingLookup)));
      }
    }
    if (!dirs.isEmpty()) {
      throw new IllegalArgumentException("--model-dir names models not profiled: " + dirs.keySet());
    }
    return keys;
  }

  private static String label(Path dir) {
    Path name = dir.toAbsolutePath().normalize().getFileName();
    return name == null ? dir.toString() : name.toString();
  }
}

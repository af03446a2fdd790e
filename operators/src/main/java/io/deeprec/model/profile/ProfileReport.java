package io.deeprec.model.profile;

import io.deeprec.model.profile.BatchProfiler.Row;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Text table and CSV of a batch-size profile. */
public final class ProfileReport {
  public static final String CSV_HEADER = "batch_size,runs,median_ms,p95_ms,p99_ms,mean_ms,items_per_s";

  private ProfileReport() {}

  /** Writes the rows as CSV (header {@value #CSV_HEADER}). */
  public static void writeCsv(List<Row> rows, Path file) throws IOException {
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      out.write(CSV_HEADER);
      out.write('\n');
      for (Row r : rows) {
        out.write(String.format(Locale.ROOT, "%d,%d,%.4f,%.4f,%.4f,%.4f,%.1f%n", r.batchSize(), r.runs(), r.medianMs(),
            r.p95Ms(), r.p99Ms(), r.meanMs(), r.itemsPerSecond()));
      }
    }
  }

  /** Reads rows written by {@link #writeCsv}. */
  public static List<Row> readCsv(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    if (lines.isEmpty() || !lines.get(0).equals(CSV_HEADER)) {
      throw new IOException(file + " is not a profile CSV (first line must be " + CSV_HEADER + ")");
    }
    List<Row> rows = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split(",");
      if (f.length != 7) {
        throw new IOException(file + ": expected 7 fields, got '" + line + "'");
      }
      rows.add(new Row(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Double.parseDouble(f[2]),
          Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5]), Double.parseDouble(f[6])));
    }
    return rows;
  }

  /** The table header matching {@link #line}. */
  public static String header() {
    return String.format(Locale.ROOT, "%6s %5s %10s %10s %10s %12s", "batch", "runs", "p50 ms", "p95 ms", "p99 ms",
        "items/s");
  }

  public static String line(Row r) {
    return String.format(Locale.ROOT, "%6d %5d %10.3f %10.3f %10.3f %12.0f", r.batchSize(), r.runs(), r.medianMs(),
        r.p95Ms(), r.p99Ms(), r.itemsPerSecond());
  }
}

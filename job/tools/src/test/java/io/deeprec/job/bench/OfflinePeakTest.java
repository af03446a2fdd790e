package io.deeprec.job.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deeprec.model.profile.BatchProfiler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The offline peak a benchmark writes beside its results, read back when the benchmark is resumed. */
class OfflinePeakTest {

  @TempDir
  Path dir;

  /** Input: a two-row curve, best batch 256 at 35,834.9 items/s = 64.9 queries/s. Output: the same peak read back. */
  @Test
  void aWrittenPeakReadsBackWithItsCurve() throws IOException {
    OfflinePeak written = new OfflinePeak(List.of(new BatchProfiler.Row(128, 35, 14.8310, 53.6950, 59.5510, 23.5258, 10823.4),
        new BatchProfiler.Row(256, 58, 11.9990, 27.8390, 43.1350, 14.2983, 35834.9)), 256, 35834.9, 64.9);

    written.write(dir, "rmc1");

    assertThat(OfflinePeak.read(dir, "rmc1")).contains(written);
  }

  /** Input: a curve with no peak file beside it (a benchmark output from before peaks were kept). Output: none. */
  @Test
  void aCurveWithoutItsPeakIsNotAStoredPeak() throws IOException {
    new OfflinePeak(List.of(new BatchProfiler.Row(64, 10, 5.0, 6.0, 7.0, 5.5, 12000.0)), 64, 12000.0, 50.0)
        .write(dir, "rmc1");
    Files.delete(dir.resolve("rmc1-peak.csv"));

    assertThat(OfflinePeak.read(dir, "rmc1")).isEmpty();
    assertThat(OfflinePeak.read(dir, "din")).isEmpty();
  }

  /** Input: a peak file with a non-numeric rate. Output: an error that names the file and the row. */
  @Test
  void aDamagedPeakFileIsAnError() throws IOException {
    new OfflinePeak(List.of(new BatchProfiler.Row(64, 10, 5.0, 6.0, 7.0, 5.5, 12000.0)), 64, 12000.0, 50.0)
        .write(dir, "rmc1");
    Files.writeString(dir.resolve("rmc1-peak.csv"), "best_batch,items_per_s,queries_per_s\n64,fast,50\n");

    assertThatThrownBy(() -> OfflinePeak.read(dir, "rmc1")).isInstanceOf(IOException.class)
        .hasMessageContaining("rmc1-peak.csv").hasMessageContaining("64,fast,50");
  }

  @Test
  void eachSizeKeepsThePassWithItsMedianThroughput() {
    List<List<BatchProfiler.Row>> passes = List.of(
        List.of(row(64, 17_000), row(128, 10_800)),
        List.of(row(128, 21_000), row(64, 16_000)),
        List.of(row(64, 18_000), row(128, 22_000)));

    List<BatchProfiler.Row> curve = OfflinePeak.medianByThroughput(passes);

    // 128's stalled pass (10,800 items/s) does not reach the curve; nor does 64's best.
    assertThat(curve).extracting(BatchProfiler.Row::batchSize).containsExactly(64, 128);
    assertThat(curve).extracting(BatchProfiler.Row::itemsPerSecond).containsExactly(17_000.0, 21_000.0);
  }

  private static BatchProfiler.Row row(int batch, double itemsPerSecond) {
    return new BatchProfiler.Row(batch, 10, batch / 10.0, batch / 8.0, batch / 6.0, batch / 9.0, itemsPerSecond);
  }
}

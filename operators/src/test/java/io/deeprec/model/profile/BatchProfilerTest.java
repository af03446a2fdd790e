package io.deeprec.model.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.deeprec.model.ModelFactory;
import io.deeprec.model.ModelId;
import io.deeprec.model.ModelKey;
import io.deeprec.model.RecModel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchProfilerTest {
  @TempDir Path tmp;

  /** Input: NCF, batches up to 12. Expected: rows 1,2,4,8,12 with sane numbers; CSV and PNG written. */
  @Test
  void shouldProfileEveryBatchSizeAndWriteCsvAndChart() throws Exception {
    BatchProfiler profiler = BatchProfiler.builder().maxBatch(12).repeats(8).warmups(2).build();
    List<BatchProfiler.Row> seen = new ArrayList<>();
    List<BatchProfiler.Row> rows;
    try (RecModel model = ModelFactory.create(ModelKey.random(ModelId.NCF, 0.01, 1))) {
      rows = profiler.profile(model, seen::add);
    }
    assertThat(rows).extracting(BatchProfiler.Row::batchSize).containsExactly(1, 2, 4, 8, 12);
    assertThat(seen).isEqualTo(rows);
    for (BatchProfiler.Row r : rows) {
      assertThat(r.runs()).isEqualTo(8);
      assertThat(r.medianMs()).isPositive().isLessThanOrEqualTo(r.p95Ms());
      assertThat(r.itemsPerSecond()).isPositive();
    }
    assertThat(BatchProfiler.knee(rows, 0.9).batchSize()).isLessThanOrEqualTo(BatchProfiler.peak(rows).batchSize());

    Path csv = tmp.resolve("out/ncf.csv");
    ProfileReport.writeCsv(rows, csv);
    List<String> lines = Files.readAllLines(csv);
    assertThat(lines).hasSize(6).first().isEqualTo(ProfileReport.CSV_HEADER);
    assertThat(lines.get(1)).startsWith("1,8,");
    List<BatchProfiler.Row> read = ProfileReport.readCsv(csv);
    assertThat(read).extracting(BatchProfiler.Row::batchSize).containsExactly(1, 2, 4, 8, 12);
    assertThat(read.get(4).p95Ms()).isCloseTo(rows.get(4).p95Ms(), within(1e-4));

    Path png = tmp.resolve("out/ncf.png");
    ProfileChart.writePng("ncf", rows, png, 800, 500);
    byte[] bytes = Files.readAllBytes(png);
    assertThat(bytes.length).isGreaterThan(1000);
    assertThat(new String(bytes, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");

    Path compared = tmp.resolve("out/ncf-vs.png");
    ProfileChart.writeComparisonPng("ncf", Map.of("a", rows, "b", read), compared, 800, 500);
    assertThat(Files.size(compared)).isGreaterThan(1000);
  }

  /** Input: a file that is not a profile. Expected: an error naming the file and the header. */
  @Test
  void shouldRefuseToReadAFileThatIsNotAProfile() throws Exception {
    Path bad = Files.writeString(tmp.resolve("bad.csv"), "a,b\n1,2\n");
    assertThatThrownBy(() -> ProfileReport.readCsv(bad))
        .hasMessageContaining(bad.toString()).hasMessageContaining(ProfileReport.CSV_HEADER);
  }
}

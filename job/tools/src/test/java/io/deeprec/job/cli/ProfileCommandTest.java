package io.deeprec.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code deeprec profile} writes each model's start-up and memory, and compares two profiles. */
class ProfileCommandTest {
  @TempDir Path tmp;

  /** Input: NCF per table, then fused compared with it. Expected: a models.csv row each, a comparison chart. */
  @Test
  void shouldRecordStartAndMemoryAndDrawTheComparison() throws Exception {
    Path perTable = tmp.resolve("per-table");
    Path fused = tmp.resolve("fused");
    assertThat(profile("--output", perTable.toString())).isZero();
    assertThat(profile("--output", fused.toString(), "--embedding-lookup", "fused",
        "--compare-with", perTable.toString())).isZero();

    for (Path dir : List.of(perTable, fused)) {
      List<String> rows = Files.readAllLines(dir.resolve(ProfileCommand.MEMORY_CSV));
      assertThat(rows).hasSize(2).first().isEqualTo(ProfileCommand.MEMORY_HEADER);
      String[] f = rows.get(1).split(",");
      assertThat(f).hasSize(9);
      assertThat(f[0]).isEqualTo("ncf");
      assertThat(f[2]).isEqualTo(dir == fused ? "fused" : "per-table");
      assertThat(Double.parseDouble(f[3])).isPositive();
      assertThat(Double.parseDouble(f[4])).isNotNegative();
    }
    assertThat(fused.resolve("ncf-vs-per-table.png")).isNotEmptyFile();
    assertThat(perTable.resolve("ncf-vs-fused.png")).doesNotExist();
  }

  private static int profile(String... extra) {
    String[] base = {"--model", "ncf", "--table-scale", "0.01", "--max-batch", "4", "--repeats", "3",
        "--warmup", "1", "--seconds-per-size", "0.2"};
    String[] args = new String[base.length + extra.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    CommandLine cli = new CommandLine(new ProfileCommand());
    cli.setOut(new PrintWriter(new StringWriter()));
    return cli.execute(args);
  }
}

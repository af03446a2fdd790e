package io.deeprec.job.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class BenchCommandTest {

  @Test
  void oracleSizesAreBatchSizesOrNone() {
    assertThat(BenchCommand.parseOracleSizes(List.of("256", " 128"))).containsExactly(256, 128);
    assertThat(BenchCommand.parseOracleSizes(List.of("NONE"))).isEmpty();
  }

  @Test
  void anythingElseIsRefusedByName() {
    assertThatThrownBy(() -> BenchCommand.parseOracleSizes(List.of("128", "big")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--oracle-sizes").hasMessageContaining("big");
    assertThatThrownBy(() -> BenchCommand.parseOracleSizes(List.of("0")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(">= 1");
  }
}

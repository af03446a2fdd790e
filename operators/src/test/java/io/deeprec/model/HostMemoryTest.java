package io.deeprec.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class HostMemoryTest {

  /** Input: RMC1 at full size (4.1 GB of tables) and 2 GB available. Expected: refused, naming the setting. */
  @Test
  void shouldRefuseTablesThatDoNotFitNamingTheSetting() {
    ModelSpec rmc1 = ModelCatalog.spec(ModelId.RMC1);
    assertThatThrownBy(() -> HostMemory.checkTablesFit(rmc1, OptionalLong.of(2_000_000_000L)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("rmc1 at table scale 1.0 needs 4.51 GB")
        .hasMessageContaining("deeprec.model.table-scale")
        .hasMessageContaining("taskmanager.memory.task.off-heap.size");
  }

  /** Input: the same model with room to spare, or no reading at all (not Linux). Expected: accepted. */
  @Test
  void shouldAcceptTablesThatFitOrAnUnknownHost() {
    ModelSpec rmc1 = ModelCatalog.spec(ModelId.RMC1);
    assertThatCode(() -> HostMemory.checkTablesFit(rmc1, OptionalLong.of(8_000_000_000L))).doesNotThrowAnyException();
    assertThatCode(() -> HostMemory.checkTablesFit(rmc1, OptionalLong.empty())).doesNotThrowAnyException();
  }

  /**
   * Input: a model whose tables exceed any host of this project (10^9 rows of 64 floats, 256 GB).
   * Expected: the factory refuses it before allocating, with the check's message, never an OS kill.
   */
  @Test
  void shouldRefuseAnOversizedModelBeforeAllocating() {
    ModelSpec huge = ModelCatalog.spec(ModelId.NCF).toBuilder()
        .tables(List.of(new TableSpec("huge", 1_000_000_000, 64, 1, TableSpec.Side.USER, TableSpec.Pooling.SUM),
            new TableSpec("user_mlp", 10, 64, 1, TableSpec.Side.USER, TableSpec.Pooling.SUM),
            new TableSpec("item_mf", 10, 64, 1, TableSpec.Side.ITEM, TableSpec.Pooling.SUM),
            new TableSpec("item_mlp", 10, 64, 1, TableSpec.Side.ITEM, TableSpec.Pooling.SUM)))
        .build();
    if (HostMemory.availableBytes().isEmpty()) {
      return; // not Linux: nothing to read, the check cannot refuse
    }
    assertThatThrownBy(() -> ModelFactory.create(huge, 1, "cpu"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("ncf at table scale 1.0 needs");
  }

  /** Input: /proc lines. Expected: the named field in bytes; absent or malformed fields read as empty. */
  @Test
  void shouldParseProcFields() {
    List<String> lines = List.of("Name:\tjava", "VmRSS:\t  123456 kB", "Bogus:\tx kB");
    assertThat(HostMemory.parseKib(lines, "VmRSS:")).hasValue(123456L * 1024);
    assertThat(HostMemory.parseKib(lines, "VmHWM:")).isEmpty();
    assertThat(HostMemory.parseKib(lines, "Bogus:")).isEmpty();
  }

  /** Expected: on Linux, this process's resident size and the available memory are read and positive. */
  @Test
  void shouldReadThisProcessOnLinux() {
    if (!System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
      return;
    }
    assertThat(HostMemory.residentBytes()).isPresent();
    assertThat(HostMemory.residentBytes().getAsLong()).isPositive();
    assertThat(HostMemory.availableBytes().getAsLong()).isPositive();
  }
}

package io.deeprec.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConfigTableTest {

  @Test
  void theReadmesConfigurationTableIsTheGeneratedOne() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"));
    int begin = readme.indexOf(ConfigTable.BEGIN);
    int end = readme.indexOf(ConfigTable.END);
    assertThat(begin).as("the README's table markers").isNotNegative();
    assertThat(end).isGreaterThan(begin);
    String inReadme = readme.substring(begin, end + ConfigTable.END.length()) + "\n";
    assertThat(inReadme).as("README's configuration table; regenerate it with ./deeprec config")
        .isEqualTo(ConfigTable.markdown());
  }

  @Test
  void everyOptionIsDescribed() {
    assertThat(ConfigTable.options()).hasSizeGreaterThan(40).allSatisfy(option ->
        assertThat(option.description().getBlocks()).as(option.key()).isNotEmpty());
  }
}

package io.deeprec.model.torchscript;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.deeprec.model.ModelScorer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TorchScriptModelTest {
  static final Path FIXTURES = Path.of("src", "test", "resources", "torchscript");

  @TempDir
  Path tmp;

  @Test
  void scoresAsPyTorchDidForTheGoldenInputs() throws IOException {
    TorchScriptFixtures.Golden golden = TorchScriptFixtures.Golden.read(FIXTURES.resolve("tiny-dlrm"));
    try (TorchScriptModel model = TorchScriptModel.load(FIXTURES.resolve("tiny-dlrm"), "cpu");
        ModelScorer scorer = model.newScorer()) {
      float[] scores = scorer.score(golden.batch(model.spec()));
      assertThat(scores).hasSize(golden.scores().length);
      for (int i = 0; i < scores.length; i++) {
        assertThat(scores[i]).as("item %d", i).isCloseTo(golden.scores()[i], within(1e-5f));
      }
      assertThat(model.version()).isEqualTo("1");
      assertThat(model.spec().name()).isEqualTo("tiny-dlrm");
    }
  }

  @Test
  void refusesADenseWidthTheModuleDoesNotTake() throws IOException {
    Path dir = copyWithManifest("tiny-dlrm", json -> json.replace("\"dense\": 13", "\"dense\": 12"));
    assertThatThrownBy(() -> TorchScriptModel.load(dir, "cpu"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at input 'dense'")
        .hasMessageContaining("dense: 12 features per item");
  }

  @Test
  void refusesAManifestThatLacksATableTheModuleTakes() throws IOException {
    Path dir = copyWithManifest("tiny-dlrm", json -> json.replaceAll(
        "\\{\\s*\"name\": \"category\"[^}]*\\},?", "").replaceAll(",\\s*]", "]"));
    assertThat(ModelManifest.read(dir).inputNames()).doesNotContain("category");
    assertThatThrownBy(() -> TorchScriptModel.load(dir, "cpu"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("forward takes 'category'")
        .hasMessageContaining("does not declare");
  }

  @Test
  void refusesAManifestInputTheModuleDoesNotTake() throws IOException {
    Path dir = copyWithManifest("tiny-dlrm", json -> json.replace("\"name\": \"category\"", "\"name\": \"genre\""));
    assertThatThrownBy(() -> TorchScriptModel.load(dir, "cpu"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("input 'genre'")
        .hasMessageContaining("not an argument of the module's forward");
  }

  @Test
  void refusesMoreRowsThanTheModulesTableHolds() throws IOException {
    Path dir = copyWithManifest("tiny-dlrm", json -> json.replace("\"rows\": 100,", "\"rows\": 101,"));
    assertThatThrownBy(() -> TorchScriptModel.load(dir, "cpu"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("input 'category' declares 101 rows")
        .hasMessageContaining("cannot look up row 100");
  }

  @Test
  void refusesAModuleThatDoesNotReturnOneScorePerItem() {
    assertThatThrownBy(() -> TorchScriptModel.load(FIXTURES.resolve("two-scores"), "cpu"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("output")
        .hasMessageContaining("(2, 2)")
        .hasMessageContaining("one float32 score per item");
  }

  @Test
  void refusesACorruptModule() throws IOException {
    Path dir = copyWithManifest("tiny-dlrm", json -> json);
    byte[] module = Files.readAllBytes(dir.resolve(ModelManifest.MODULE_FILE));
    Files.write(dir.resolve(ModelManifest.MODULE_FILE), java.util.Arrays.copyOf(module, module.length / 3));
    assertThatThrownBy(() -> TorchScriptModel.load(dir, "cpu"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("model.pt is not a loadable TorchScript module");
  }

  @Test
  void refusesAMissingModule() throws IOException {
    Path dir = copyWithManifest("tiny-dlrm", json -> json);
    Files.delete(dir.resolve(ModelManifest.MODULE_FILE));
    assertThatThrownBy(() -> TorchScriptModel.load(dir, "cpu"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no model.pt");
  }

  private Path copyWithManifest(String fixture, java.util.function.UnaryOperator<String> edit) throws IOException {
    Path dir = tmp.resolve(fixture + "-edited");
    Files.createDirectories(dir);
    try (Stream<Path> files = Files.list(FIXTURES.resolve(fixture))) {
      for (Path file : files.toList()) {
        Files.copy(file, dir.resolve(file.getFileName()));
      }
    }
    Path manifest = dir.resolve(ModelManifest.FILE);
    String before = Files.readString(manifest);
    String after = edit.apply(before);
    Files.writeString(manifest, after);
    return dir;
  }
}

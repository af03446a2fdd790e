package io.deeprec.model.torchscript;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deeprec.model.ModelSpec;
import io.deeprec.model.TableSpec;
import org.junit.jupiter.api.Test;

class ModelManifestTest {
  private static final String VALID = """
      {"name": "ranker", "version": "7", "p95TargetMs": 40, "dense": 4,
       "tables": [{"name": "user", "rows": 10, "idsPerItem": 2, "side": "user"},
                  {"name": "item", "rows": 20, "idsPerItem": 1}],
       "sequences": [{"name": "clicks", "rows": 20, "length": 5, "side": "user"}],
       "output": "logit"}
      """;

  @Test
  void readsTheInputsAsASpecLaidOutTablesThenSequences() {
    ModelManifest manifest = ModelManifest.parse(VALID, "test");
    ModelSpec spec = manifest.spec();
    assertThat(spec.name()).isEqualTo("ranker");
    assertThat(spec.builtIn()).isFalse();
    assertThat(spec.denseDim()).isEqualTo(4);
    assertThat(spec.sparseIdsPerItem()).isEqualTo(2 + 1 + 5);
    assertThat(spec.tables()).extracting(TableSpec::name).containsExactly("user", "item", "clicks");
    assertThat(spec.tables().get(1).side()).isEqualTo(TableSpec.Side.ITEM);
    assertThat(spec.tables().get(2).pooling()).isEqualTo(TableSpec.Pooling.SEQUENCE);
    assertThat(spec.p95TargetMs(io.deeprec.model.LatencyTier.MEDIUM)).isEqualTo(40);
    assertThat(manifest.version()).isEqualTo("7");
    assertThat(manifest.output()).isEqualTo(ModelManifest.Output.LOGIT);
    assertThat(manifest.inputNames()).containsExactly("dense", "user", "item", "clicks");
  }

  @Test
  void namesTheFieldThatIsWrong() {
    assertThatThrownBy(() -> ModelManifest.parse(VALID.replace("\"dense\": 4", "\"dense\": -1"), "m.json"))
        .hasMessageContaining("m.json: 'dense' must be an integer >= 0");
    assertThatThrownBy(() -> ModelManifest.parse(VALID.replace("\"rows\": 10", "\"rows\": 0"), "m.json"))
        .hasMessageContaining("table user: 'rows' must be an integer >= 1");
    assertThatThrownBy(() -> ModelManifest.parse(VALID.replace("\"version\": \"7\", ", ""), "m.json"))
        .hasMessageContaining("'version' is required");
    assertThatThrownBy(() -> ModelManifest.parse(VALID.replace("\"logit\"", "\"probits\""), "m.json"))
        .hasMessageContaining("'output' must be one of [score, logit]");
    assertThatThrownBy(() -> ModelManifest.parse(VALID.replace("\"length\"", "\"lenght\""), "m.json"))
        .hasMessageContaining("sequence clicks: 'length' is required");
    assertThatThrownBy(() -> ModelManifest.parse(VALID.replace("\"name\": \"item\"", "\"name\": \"user\""), "m.json"))
        .hasMessageContaining("the name is taken");
    assertThatThrownBy(() -> ModelManifest.parse("{\"name\": ", "m.json")).hasMessageContaining("not valid JSON");
  }

  @Test
  void refusesAnUnknownField() {
    assertThatThrownBy(() -> ModelManifest.parse(VALID.replace("\"dense\": 4", "\"dense\": 4, \"densee\": 4"), "m.json"))
        .hasMessageContaining("unknown field 'densee'");
  }
}

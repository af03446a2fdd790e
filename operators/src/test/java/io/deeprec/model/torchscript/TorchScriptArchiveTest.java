package io.deeprec.model.torchscript;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class TorchScriptArchiveTest {

  @Test
  void readsTheRootModulesForwardArgumentsFromTheSavedFile() {
    assertThat(TorchScriptArchive.forwardArguments(TorchScriptModelTest.FIXTURES.resolve("tiny-dlrm/model.pt")))
        .contains(List.of("dense", "user", "item", "category", "clicks"));
  }

  @Test
  void splitsArgumentsOnlyAtTheTopLevelOfTheirTypes() {
    String source = """
        class Other(Module):
          def forward(self: __torch__.Other, wrong: Tensor) -> Tensor:
            return wrong
        class Ranker(Module):
          def forward(self: __torch__.Ranker,
            dense: Tensor,
            pair: Tuple[Tensor, Tensor],
            maybe: Optional[Dict[str, Tensor]]=None) -> Tensor:
            return dense
        """;
    assertThat(TorchScriptArchive.forwardArguments(source, "Ranker")).contains(List.of("dense", "pair", "maybe"));
  }

  @Test
  void isEmptyForAFileThatIsNotATorchScriptArchive() {
    assertThat(TorchScriptArchive.forwardArguments(TorchScriptModelTest.FIXTURES.resolve("tiny-dlrm/golden.json")))
        .isEmpty();
    assertThat(TorchScriptArchive.forwardArguments(Path.of("no-such-file.pt"))).isEmpty();
  }
}

package io.deeprec.model.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.deeprec.model.ModelCatalog;
import io.deeprec.model.ModelFactory;
import io.deeprec.model.ModelId;
import io.deeprec.model.ModelKey;
import io.deeprec.model.ModelSpec;
import io.deeprec.model.RecModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TrainerTest {
  @TempDir Path tmp;

  /**
   * Input: a synthetic click log of a hidden teacher, tiny tables (about 100 rows each). Expected:
   * the random model ranks at chance, the trained one reaches AUC >= 0.70 on held-out impressions,
   * and the saved model reproduces that AUC when loaded as a served model.
   */
  @ParameterizedTest
  @CsvSource({"rmc1, 0.000025, 12000, 3", "wnd, 0.0001, 8000, 3"})
  void shouldLearnTheTeacher(String name, double scale, int samples, int epochs) {
    ModelId id = ModelId.parse(name);
    ModelSpec spec = ModelCatalog.spec(id).withTableScale(scale);
    SyntheticClickLog train = SyntheticClickLog.generate(spec, samples, 500, 2000, 77, 1);
    SyntheticClickLog heldOut = SyntheticClickLog.generate(spec, 4000, 500, 2000, 77, 2);
    List<Trainer.Epoch> epochsSeen = new ArrayList<>();
    Trainer.Result result = Trainer.builder().epochs(epochs).seed(5).build().train(spec, train, heldOut, epochsSeen::add);
    Path dir = tmp.resolve(name);
    try (RecModel model = result.model()) {
      ModelFactory.save(model, dir);
    }
    assertThat(epochsSeen).hasSize(epochs);
    assertThat(result.initialHeldOutAuc()).isBetween(0.4, 0.6);
    assertThat(result.heldOutAuc()).isGreaterThanOrEqualTo(0.70);
    assertThat(result.heldOutAuc()).isLessThanOrEqualTo(result.teacherHeldOutAuc() + 0.02);
    try (RecModel served = ModelFactory.create(new ModelKey(id, scale, 0, dir.toString()))) {
      assertThat(Trainer.auc(served, heldOut)).isCloseTo(result.heldOutAuc(), org.assertj.core.data.Offset.offset(1e-6));
    }
  }
}

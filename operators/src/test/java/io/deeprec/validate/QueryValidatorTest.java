package io.deeprec.validate;

import static org.assertj.core.api.Assertions.assertThat;

import io.deeprec.model.ModelCatalog;
import io.deeprec.model.ModelId;
import io.deeprec.model.ModelSpec;
import io.deeprec.schema.CandidateFeatures;
import io.deeprec.schema.RecQuery;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QueryValidatorTest {

  private static final ModelSpec RMC1 = ModelCatalog.spec(ModelId.RMC1).withTableScale(0.001);
  private static final QueryValidator VALIDATOR = new QueryValidator(Map.of("rmc1", RMC1), 1024);

  private static RecQuery.Builder valid(int n) {
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add((long) i);
    }
    return RecQuery.newBuilder().setQueryId("q").setModel("rmc1").setUserId(1).setCandidateIds(ids)
        .setArrivalTimeMs(1_000).setTopK(10);
  }

  private static CandidateFeatures features(int n, float denseValue, int sparseId) {
    return CandidateFeatures.newBuilder()
        .setDense(new ArrayList<>(Collections.nCopies(n * RMC1.denseDim(), denseValue)))
        .setSparse(new ArrayList<>(Collections.nCopies(n * RMC1.sparseIdsPerItem(), sparseId)))
        .build();
  }

  @Test
  void acceptsAValidQueryWithAndWithoutExplicitFeatures() {
    assertThat(VALIDATOR.problem(valid(3).build())).isNull();
    assertThat(VALIDATOR.problem(valid(3).setFeatures(features(3, 0.5f, 7)).build())).isNull();
  }

  @Test
  void namesEachProblem() {
    assertThat(VALIDATOR.problem(valid(3).setModel("gpt").build())).contains("unknown model 'gpt'");
    assertThat(VALIDATOR.problem(valid(0).build())).isEqualTo("empty candidate list");
    assertThat(VALIDATOR.problem(valid(1025).build())).contains("1025 candidates exceed the maximum of 1024");
    assertThat(VALIDATOR.problem(valid(3).setTopK(0).build())).contains("topK must be >= 1");
    assertThat(VALIDATOR.problem(valid(3).setQueryId(" ").build())).isEqualTo("queryId is empty");
    assertThat(VALIDATOR.problem(valid(3).setArrivalTimeMs(0).build())).contains("arrivalTimeMs");
  }

  @Test
  void checksExplicitFeatures() {
    assertThat(VALIDATOR.problem(valid(2).setFeatures(features(2, Float.NaN, 1)).build()))
        .contains("dense feature 0 of candidate 0 is NaN");
    assertThat(VALIDATOR.problem(valid(2).setFeatures(features(2, Float.POSITIVE_INFINITY, 1)).build()))
        .contains("is Infinity");
    assertThat(VALIDATOR.problem(valid(2).setFeatures(features(2, 0f, -1)).build()))
        .contains("sparse id -1 of table");
    int rows = RMC1.tables().get(0).rows();
    assertThat(VALIDATOR.problem(valid(2).setFeatures(features(2, 0f, rows)).build()))
        .contains("outside [0, " + rows + ")");
    assertThat(VALIDATOR.problem(valid(2).setFeatures(features(3, 0f, 1)).build()))
        .contains("expected 2 x " + RMC1.denseDim());
  }
}

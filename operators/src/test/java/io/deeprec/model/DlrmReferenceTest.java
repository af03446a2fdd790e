package io.deeprec.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.deeprec.model.nn.DjlRecModel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The DJL DLRM against a plain-Java forward pass over the same parameters: checks the fused-table
 * offsets, bag pooling, both interactions and the MLPs, not just that some numbers come out.
 */
class DlrmReferenceTest {

  /** Input: 5 random candidates of a small RMC1. Expected: the Java forward's scores within 1e-5. */
  @ParameterizedTest
  @EnumSource(ModelSpec.Interaction.class)
  void shouldMatchAPlainJavaForwardPass(ModelSpec.Interaction interaction) {
    ModelSpec spec = ModelCatalog.rmc1().toBuilder().interaction(interaction).build().withTableScale(0.0005);
    try (RecModel model = ModelFactory.create(spec, 3, "cpu"); ModelScorer scorer = model.newScorer()) {
      FeatureBatch batch = FeatureStore.randomBatch(spec, 5, new SplittableRandom(9));
      float[] scores = scorer.score(batch);
      List<float[]> values = new ArrayList<>();
      List<long[]> shapes = new ArrayList<>();
      for (Pair<String, Parameter> p : ((DjlRecModel) model).block().getParameters()) {
        NDArray a = p.getValue().getArray();
        values.add(a.toFloatArray());
        shapes.add(a.getShape().getShape());
      }
      for (int i = 0; i < batch.items(); i++) {
        assertThat(scores[i]).isCloseTo(reference(spec, batch, i, values, shapes), Offset.offset(1e-5f));
      }
    }
  }

  /** DLRM for candidate {@code item}; parameters in block order: embedding, bottom (W, b)..., top (W, b).... */
  private static float reference(ModelSpec spec, FeatureBatch batch, int item, List<float[]> values,
      List<long[]> shapes) {
    int dim = spec.embeddingDim();
    double[] x = new double[spec.denseDim()];
    for (int j = 0; j < x.length; j++) {
      x[j] = batch.dense()[item * spec.denseDim() + j];
    }
    int p = 1;
    for (int layer = 0; layer < spec.bottomMlp().size(); layer++, p += 2) {
      x = linear(x, values.get(p), values.get(p + 1), shapes.get(p), true);
    }
    int tables = spec.tables().size();
    double[][] pooled = new double[tables][dim];
    int base = 0;
    int col = 0;
    float[] embedding = values.get(0);
    for (int t = 0; t < tables; t++) {
      TableSpec table = spec.tables().get(t);
      for (int l = 0; l < table.lookups(); l++, col++) {
        int row = base + batch.sparse()[item * spec.sparseIdsPerItem() + col];
        for (int k = 0; k < dim; k++) {
          pooled[t][k] += embedding[row * dim + k];
        }
      }
      base += table.rows();
    }
    List<Double> z = new ArrayList<>();
    for (double v : x) {
      z.add(v);
    }
    if (spec.interaction() == ModelSpec.Interaction.CONCAT) {
      for (double[] vector : pooled) {
        for (double v : vector) {
          z.add(v);
        }
      }
    } else {
      double[][] all = new double[tables + 1][];
      all[0] = x;
      System.arraycopy(pooled, 0, all, 1, tables);
      for (int a = 1; a <= tables; a++) {
        for (int b = 0; b < a; b++) {
          double dot = 0;
          for (int k = 0; k < dim; k++) {
            dot += all[a][k] * all[b][k];
          }
          z.add(dot);
        }
      }
    }
    double[] y = z.stream().mapToDouble(Double::doubleValue).toArray();
    for (int layer = 0; layer < spec.topMlp().size(); layer++, p += 2) {
      y = linear(y, values.get(p), values.get(p + 1), shapes.get(p), layer < spec.topMlp().size() - 1);
    }
    return (float) (1 / (1 + Math.exp(-y[0])));
  }

  private static double[] linear(double[] in, float[] w, float[] b, long[] shape, boolean relu) {
    int out = (int) shape[0];
    int width = (int) shape[1];
    assertThat(width).isEqualTo(in.length);
    double[] y = new double[out];
    for (int o = 0; o < out; o++) {
      double s = b[o];
      for (int j = 0; j < width; j++) {
        s += w[o * width + j] * in[j];
      }
      y[o] = relu ? Math.max(0, s) : s;
    }
    return y;
  }
}

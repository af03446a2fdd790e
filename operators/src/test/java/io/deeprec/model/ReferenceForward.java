package io.deeprec.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.deeprec.model.nn.DjlRecModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.assertj.core.data.Offset;

/** Pieces of the plain-Java forward passes that check the DJL networks against the reference's. */
final class ReferenceForward {
  private ReferenceForward() {}

  /** A plain-Java forward pass: one item's score from the model's parameters by name. */
  @FunctionalInterface
  interface Network {
    float score(ModelSpec spec, FeatureBatch batch, int item, Map<String, float[]> parameters);
  }

  /** Scores 4 random candidates with the DJL model of {@code spec} and checks each against {@code reference} within 1e-5. */
  static void assertScoresMatch(ModelSpec spec, Network reference) {
    try (RecModel model = ModelFactory.create(spec, 3, "cpu"); ModelScorer scorer = model.newScorer()) {
      FeatureBatch batch = FeatureStore.randomBatch(spec, 4, new SplittableRandom(11));
      float[] scores = scorer.score(batch);
      Map<String, float[]> values = parameters(model);
      for (int i = 0; i < batch.items(); i++) {
        assertThat(scores[i]).isCloseTo(reference.score(spec, batch, i, values), Offset.offset(1e-5f));
      }
    }
  }

  /** Per table, in spec order, the embedding rows one item's ids select (one per lookup). */
  static List<List<double[]>> rows(ModelSpec spec, FeatureBatch batch, int item, float[] embedding) {
    int dim = spec.embeddingDim();
    List<List<double[]>> tables = new ArrayList<>();
    int base = 0;
    int col = 0;
    for (TableSpec table : spec.tables()) {
      List<double[]> rows = new ArrayList<>();
      for (int l = 0; l < table.lookups(); l++, col++) {
        int row = base + batch.sparse()[item * spec.sparseIdsPerItem() + col];
        double[] vector = new double[dim];
        for (int k = 0; k < dim; k++) {
          vector[k] = embedding[row * dim + k];
        }
        rows.add(vector);
      }
      tables.add(rows);
      base += table.rows();
    }
    return tables;
  }

  /** The element-wise sum of equal-length vectors. */
  static double[] sum(List<double[]> vectors) {
    double[] sum = new double[vectors.get(0).length];
    for (double[] v : vectors) {
      for (int k = 0; k < sum.length; k++) {
        sum[k] += v[k];
      }
    }
    return sum;
  }

  /** Every parameter of a DJL model by its name, as floats. */
  static Map<String, float[]> parameters(RecModel model) {
    Map<String, float[]> values = new LinkedHashMap<>();
    for (Pair<String, Parameter> p : ((DjlRecModel) model).block().getParameters()) {
      values.put(p.getKey(), p.getValue().getArray().toFloatArray());
    }
    return values;
  }

  /** y = W x + b (W row-major, out x in), then a ReLU when asked. */
  static double[] linear(double[] in, float[] w, float[] b, boolean relu) {
    assertThat(w).as("weights of a layer with %d inputs", in.length).isNotNull();
    int out = b.length;
    assertThat(w.length).isEqualTo(out * in.length);
    double[] y = new double[out];
    for (int o = 0; o < out; o++) {
      double s = b[o];
      for (int j = 0; j < in.length; j++) {
        s += w[o * in.length + j] * in[j];
      }
      y[o] = relu ? Math.max(0, s) : s;
    }
    return y;
  }

  /** The softmax probability of class 1 from two logits. */
  static float classOneProbability(double[] twoLogits) {
    return (float) (1 / (1 + Math.exp(-(twoLogits[1] - twoLogits[0]))));
  }
}

package io.deeprec.model;

import static io.deeprec.model.ReferenceForward.classOneProbability;
import static io.deeprec.model.ReferenceForward.linear;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The DJL DIEN against a plain-Java forward pass of the reference's network (harvard-acc/DeepRecSys
 * models/dien.py) over the same parameters: tanh RNN, a per-step layer with a softmax over the
 * hidden axis added to each state, a second tanh RNN, [non-sequence tables, last state] into the
 * top MLP.
 */
class DienReferenceTest {

  /** Input: 4 random candidates of a small DIEN. Expected: the Java forward's scores within 1e-5. */
  @ParameterizedTest
  @EnumSource(EmbeddingLookup.class)
  void shouldMatchThePlainJavaForwardPassOfTheReferenceNetwork(EmbeddingLookup lookup) {
    ModelSpec spec = ModelCatalog.dien().withTableScale(0.0005).withEmbeddingLookup(lookup);
    ReferenceForward.assertScoresMatch(spec, DienReferenceTest::reference);
  }

  private static float reference(ModelSpec spec, FeatureBatch batch, int item, Map<String, float[]> p) {
    int hidden = spec.rnnHidden();
    List<double[]> steps = new ArrayList<>();
    List<Double> top = new ArrayList<>();
    List<List<double[]>> rows = ReferenceForward.rows(spec, batch, item, p.get("embedding"));
    for (int t = 0; t < rows.size(); t++) {
      if (spec.tables().get(t).pooling() == TableSpec.Pooling.SEQUENCE) {
        steps.addAll(rows.get(t));
      } else {
        for (double v : ReferenceForward.sum(rows.get(t))) {
          top.add(v);
        }
      }
    }
    List<double[]> states = rnn(steps, p, "01extraction", hidden);
    List<double[]> attended = new ArrayList<>();
    for (double[] h : states) {
      double[] a = softmax(linear(h, p.get("02attention_weight"), p.get("02attention_bias"), false));
      double[] sum = new double[hidden];
      for (int k = 0; k < hidden; k++) {
        sum[k] = h[k] + a[k];
      }
      attended.add(sum);
    }
    List<double[]> evolved = rnn(attended, p, "03evolution", hidden);
    for (double v : evolved.get(evolved.size() - 1)) {
      top.add(v);
    }
    double[] y = top.stream().mapToDouble(Double::doubleValue).toArray();
    y = linear(y, p.get("04top_01Linear_weight"), p.get("04top_01Linear_bias"), true);
    y = linear(y, p.get("04top_03Linear_weight"), p.get("04top_03Linear_bias"), true);
    y = linear(y, p.get("04top_05Linear_weight"), p.get("04top_05Linear_bias"), false);
    return classOneProbability(y);
  }

  /** h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh), h_0 = 0. */
  private static List<double[]> rnn(List<double[]> inputs, Map<String, float[]> p, String name, int hidden) {
    List<double[]> states = new ArrayList<>();
    double[] h = new double[hidden];
    for (double[] x : inputs) {
      double[] in = linear(x, p.get(name + "_l_0_i2h_WEIGHT"), p.get(name + "_l_0_i2h_BIAS"), false);
      double[] rec = linear(h, p.get(name + "_l_0_h2h_WEIGHT"), p.get(name + "_l_0_h2h_BIAS"), false);
      h = new double[hidden];
      for (int k = 0; k < hidden; k++) {
        h[k] = Math.tanh(in[k] + rec[k]);
      }
      states.add(h);
    }
    return states;
  }

  private static double[] softmax(double[] x) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : x) {
      max = Math.max(max, v);
    }
    double sum = 0;
    double[] e = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      e[i] = Math.exp(x[i] - max);
      sum += e[i];
    }
    for (int i = 0; i < x.length; i++) {
      e[i] /= sum;
    }
    return e;
  }
}

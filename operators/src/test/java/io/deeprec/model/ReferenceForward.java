package io.deeprec.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.deeprec.model.nn.DjlRecModel;
import java.util.LinkedHashMap;
import java.util.Map;

/** Pieces of the plain-Java forward passes that check the DJL networks against the reference's. */
final class ReferenceForward {
  private ReferenceForward() {}

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

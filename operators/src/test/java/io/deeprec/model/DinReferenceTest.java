package io.deeprec.model;

import static io.deeprec.model.ReferenceForward.classOneProbability;
import static io.deeprec.model.ReferenceForward.linear;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The DJL DIN against a plain-Java forward pass of the reference's network (harvard-acc/DeepRecSys
 * models/din.py) over the same parameters: every table's lookups summed; per behaviour table an
 * attention unit on [behaviour, ad, behaviour + ad] with a ReLU after each layer; the units' outputs
 * summed; [profile, interest, ad, context] into the top MLP.
 */
class DinReferenceTest {

  /** Input: 4 random candidates of a small DIN with two behaviour tables. Expected: the Java forward's scores within 1e-5. */
  @ParameterizedTest
  @EnumSource(EmbeddingLookup.class)
  void shouldMatchThePlainJavaForwardPassOfTheReferenceNetwork(EmbeddingLookup lookup) {
    ModelSpec spec = ModelCatalog.din(2).withTableScale(0.0005).withEmbeddingLookup(lookup);
    ReferenceForward.assertScoresMatch(spec, DinReferenceTest::reference);
  }

  private static float reference(ModelSpec spec, FeatureBatch batch, int item, Map<String, float[]> p) {
    int dim = spec.embeddingDim();
    List<double[]> pooled = new ArrayList<>();
    for (List<double[]> rows : ReferenceForward.rows(spec, batch, item, p.get("embedding"))) {
      pooled.add(ReferenceForward.sum(rows));
    }
    double[] ad = pooled.get(spec.tables().size() - 2);
    double[] interest = new double[dim];
    List<Double> top = new ArrayList<>();
    int interestAt = -1;
    int unit = 0;
    for (int t = 0; t < spec.tables().size(); t++) {
      TableSpec table = spec.tables().get(t);
      if (table.pooling() != TableSpec.Pooling.SEQUENCE) {
        for (double v : pooled.get(t)) {
          top.add(v);
        }
        continue;
      }
      double[] behaviour = pooled.get(t);
      double[] in = new double[3 * dim];
      for (int k = 0; k < dim; k++) {
        in[k] = behaviour[k];
        in[dim + k] = ad[k];
        in[2 * dim + k] = behaviour[k] + ad[k];
      }
      String name = String.format("%02dattention_%s", ++unit, table.name());
      double[] y = linear(in, p.get(name + "_01Linear_weight"), p.get(name + "_01Linear_bias"), true);
      y = linear(y, p.get(name + "_03Linear_weight"), p.get(name + "_03Linear_bias"), true);
      for (int k = 0; k < dim; k++) {
        interest[k] += y[k];
      }
      if (interestAt < 0) {
        interestAt = top.size();
      }
    }
    for (int k = 0; k < dim; k++) {
      top.add(interestAt + k, interest[k]);
    }
    double[] x = top.stream().mapToDouble(Double::doubleValue).toArray();
    String topName = String.format("%02dtop", unit + 1);
    x = linear(x, p.get(topName + "_01Linear_weight"), p.get(topName + "_01Linear_bias"), true);
    x = linear(x, p.get(topName + "_03Linear_weight"), p.get(topName + "_03Linear_bias"), true);
    x = linear(x, p.get(topName + "_05Linear_weight"), p.get(topName + "_05Linear_bias"), false);
    return classOneProbability(x);
  }
}

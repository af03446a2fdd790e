package io.deeprec.job.load;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Which model each generated query asks for: models drawn independently with fixed weights. */
public final class ModelMix {
  private final List<String> models;
  private final double[] cumulative;
  private final Map<String, Double> shares;

  /** @param weights model id to weight (> 0); weights are normalised to sum to 1 */
  public ModelMix(Map<String, Double> weights) {
    if (weights.isEmpty()) {
      throw new IllegalArgumentException("no model to query");
    }
    double total = 0;
    for (Map.Entry<String, Double> e : weights.entrySet()) {
      if (!(e.getValue() > 0)) {
        throw new IllegalArgumentException("weight of " + e.getKey() + " must be > 0: " + e.getValue());
      }
      total += e.getValue();
    }
    models = new ArrayList<>(weights.keySet());
    cumulative = new double[models.size()];
    shares = new LinkedHashMap<>();
    double running = 0;
    for (int i = 0; i < models.size(); i++) {
      double share = weights.get(models.get(i)) / total;
      shares.put(models.get(i), share);
      running += share;
      cumulative[i] = running;
    }
  }

  /** Every model equally often. */
  public static ModelMix uniform(List<String> models) {
    Map<String, Double> weights = new LinkedHashMap<>();
    models.forEach(m -> weights.put(m, 1.0));
    return new ModelMix(weights);
  }

  /** Parses {@code rmc1=0.7,wnd=0.3}; a model without {@code =weight} has weight 1. */
  public static ModelMix parse(String spec) {
    Map<String, Double> weights = new LinkedHashMap<>();
    for (String pair : spec.split(",")) {
      if (pair.isBlank()) {
        continue;
      }
      String[] parts = pair.split("=", 2);
      try {
        weights.merge(parts[0].trim(), parts.length == 2 ? Double.parseDouble(parts[1].trim()) : 1.0, Double::sum);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad model weight '" + pair + "', expected model=weight");
      }
    }
    return new ModelMix(weights);
  }

  public String pick(SplittableRandom random) {
    if (models.size() == 1) {
      return models.get(0);
    }
    double u = random.nextDouble();
    for (int i = 0; i < cumulative.length - 1; i++) {
      if (u < cumulative[i]) {
        return models.get(i);
      }
    }
    return models.get(models.size() - 1);
  }

  /** Model ids in the order given. */
  public List<String> models() {
    return List.copyOf(models);
  }

  /** Normalised share of each model. */
  public Map<String, Double> shares() {
    return Map.copyOf(shares);
  }
}

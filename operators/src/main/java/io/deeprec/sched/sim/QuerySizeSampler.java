package io.deeprec.sched.sim;

import io.deeprec.sched.BatchSettings;
import java.util.SplittableRandom;

/** Draws the candidate-item count N of each query, clipped to [1, 1024]. */
@FunctionalInterface
public interface QuerySizeSampler {

  /** One query size in [1, 1024]. */
  int sample(SplittableRandom random);

  /** DeepRecInfra's production-like sizes: lognormal(5.1, 0.2) has p50 164, p95 227, p99 261. */
  static QuerySizeSampler deepRecInfra() {
    return lognormal(5.1, 0.2);
  }

  /** exp(N(mu, sigma^2)), rounded and clipped. */
  static QuerySizeSampler lognormal(double mu, double sigma) {
    return random -> clip(Math.exp(mu + sigma * gaussian(random)));
  }

  /** N(mean, sd^2), rounded and clipped. */
  static QuerySizeSampler normal(double mean, double sd) {
    return random -> clip(mean + sd * gaussian(random));
  }

  /** Every query has {@code items} items. */
  static QuerySizeSampler fixed(int items) {
    int clipped = clip(items);
    return random -> clipped;
  }

  private static int clip(double items) {
    return (int) Math.max(1, Math.min(BatchSettings.MAX_BATCH, Math.round(items)));
  }

  /** Standard normal by Box-Muller (SplittableRandom has no nextGaussian on Java 17). */
  private static double gaussian(SplittableRandom random) {
    double u = 1.0 - random.nextDouble();
    double v = random.nextDouble();
    return Math.sqrt(-2.0 * Math.log(u)) * Math.cos(2.0 * Math.PI * v);
  }
}

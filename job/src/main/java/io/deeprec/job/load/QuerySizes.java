package io.deeprec.job.load;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Distributions of the number of candidates per query (DeepRecInfra), clipped to [1, 1024].
 * {@code lognormal} (mu 5.1, sigma 0.2: p50 164, p95 227, p99 261) is the production-like default.
 */
public interface QuerySizes {

  int MIN = 1;
  int MAX = 1024;

  int next(SplittableRandom random);

  static QuerySizes lognormal(double mu, double sigma) {
    return random -> clip(Math.exp(mu + sigma * gaussian(random)));
  }

  static QuerySizes normal(double mean, double stddev) {
    return random -> clip(mean + stddev * gaussian(random));
  }

  static QuerySizes fixed(int size) {
    int clipped = clip(size);
    return random -> clipped;
  }

  /**
   * Parses {@code lognormal}, {@code lognormal:MU:SIGMA}, {@code normal}, {@code normal:MEAN:SD}
   * or {@code fixed:N}.
   */
  static QuerySizes parse(String spec) {
    String[] parts = spec.trim().toLowerCase(Locale.ROOT).split(":");
    try {
      switch (parts[0]) {
        case "lognormal":
          return parts.length == 1 ? lognormal(5.1, 0.2) : lognormal(Double.parseDouble(parts[1]), Double.parseDouble(parts[2]));
        case "normal":
          return parts.length == 1 ? normal(165, 16) : normal(Double.parseDouble(parts[1]), Double.parseDouble(parts[2]));
        case "fixed":
          return fixed(Integer.parseInt(parts[1]));
        default:
          break;
      }
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("bad query size distribution '" + spec + "': " + e.getMessage(), e);
    }
    throw new IllegalArgumentException("unknown query size distribution '" + spec
        + "', expected lognormal[:mu:sigma], normal[:mean:sd] or fixed:N");
  }

  private static int clip(double value) {
    return (int) Math.max(MIN, Math.min(MAX, Math.round(value)));
  }

  private static double gaussian(SplittableRandom random) {
    // Box-Muller: SplittableRandom has no nextGaussian in Java 17.
    double u1 = 1.0 - random.nextDouble();
    double u2 = random.nextDouble();
    return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
  }
}

package io.deeprec.job.load;

import java.util.Arrays;
import java.util.function.DoubleUnaryOperator;

/** The one-sample Kolmogorov-Smirnov statistic and its asymptotic critical value, for the tests. */
final class KolmogorovSmirnov {
  private KolmogorovSmirnov() {}

  /**
   * sup |F_n(x) - F(x)| over the sample, checking both sides of each step of the empirical CDF.
   * For a discrete {@code cdf} (P(X <= x)), ties are collapsed so that each distinct value is
   * compared once, at its full step: the test is then exact on the steps and conservative.
   */
  static double statistic(double[] sample, DoubleUnaryOperator cdf) {
    double[] sorted = sample.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    double d = 0;
    int i = 0;
    while (i < n) {
      int j = i;
      while (j + 1 < n && sorted[j + 1] == sorted[i]) {
        j++;
      }
      double f = cdf.applyAsDouble(sorted[i]);
      double below = (double) i / n;
      double atOrBelow = (double) (j + 1) / n;
      d = Math.max(d, Math.max(Math.abs(atOrBelow - f), Math.abs(f - below) * (j == i ? 1 : 0)));
      i = j + 1;
    }
    return d;
  }

  /** The critical value at significance 0.001 for n samples: 1.949 / sqrt(n). */
  static double critical001(int n) {
    return 1.949 / Math.sqrt(n);
  }

  /** Standard normal CDF (Abramowitz-Stegun 7.1.26 erf, error below 1.5e-7). */
  static double normalCdf(double z) {
    double x = Math.abs(z) / Math.sqrt(2);
    double t = 1 / (1 + 0.3275911 * x);
    double erf = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t
        * Math.exp(-x * x);
    return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
  }
}

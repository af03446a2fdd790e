package io.deeprec.job.load;

import io.deeprec.workload.QuerySizes;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Query sizes and arrival gaps pass a one-sample Kolmogorov-Smirnov test against the distributions
 * they claim, at significance 0.001 (a seeded sample, so the outcome is fixed, not flaky).
 */
class DistributionsTest {
  private static final int N = 20_000;

  /** Sizes are rounded and clipped, so the reference CDF is the rounded one: P(X <= k) = F(k + 0.5). */
  @Test
  void lognormalSizesFollowTheRoundedLognormal() {
    double[] sample = sizes(QuerySizes.parse("lognormal"));
    double d = KolmogorovSmirnov.statistic(sample, k -> KolmogorovSmirnov.normalCdf((Math.log(k + 0.5) - 5.1) / 0.2));
    assertThat(d).isLessThan(KolmogorovSmirnov.critical001(N));
  }

  @Test
  void normalSizesFollowTheRoundedNormal() {
    double[] sample = sizes(QuerySizes.parse("normal"));
    double d = KolmogorovSmirnov.statistic(sample, k -> KolmogorovSmirnov.normalCdf((k + 0.5 - 165) / 16));
    assertThat(d).isLessThan(KolmogorovSmirnov.critical001(N));
  }

  @Test
  void sizesAreClippedToOneAndMaxCandidates() {
    double[] wide = sizes(QuerySizes.lognormal(5.1, 3.0));
    assertThat(java.util.Arrays.stream(wide).allMatch(v -> v >= QuerySizes.MIN && v <= QuerySizes.MAX)).isTrue();
    assertThat(wide).contains(1.0, 1024.0);
    assertThat(sizes(QuerySizes.parse("fixed:5000"))).containsOnly(1024.0);
  }

  /** A trace file of size,count lines is sampled in proportion to the counts. */
  @Test
  void empiricalSizesFollowTheFileWeights(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("sizes.csv");
    Files.writeString(file, "# size,count\n10,1\n100,2\n2000,1\n");
    double[] sample = sizes(QuerySizes.parse("empirical:" + file));
    double d = KolmogorovSmirnov.statistic(sample, k -> k < 10 ? 0 : k < 100 ? 0.25 : k < 1024 ? 0.75 : 1.0);
    assertThat(d).isLessThan(KolmogorovSmirnov.critical001(N));
    assertThat(sample).containsOnly(10.0, 100.0, 1024.0);
  }

  @Test
  void poissonGapsAreExponential() {
    double rate = 2_000;
    double[] gaps = gaps(ArrivalProcess.POISSON, rate);
    double meanMs = 1000 / rate;
    double d = KolmogorovSmirnov.statistic(gaps, x -> 1 - Math.exp(-x / meanMs));
    assertThat(d).isLessThan(KolmogorovSmirnov.critical001(N));
  }

  /** The reference's gaps: Poisson-distributed integer milliseconds with mean 1000 / rate. */
  @Test
  void poissonMillisecondGapsArePoissonIntegers() {
    for (double rate : new double[] {50, 400, 2_000}) {
      double mean = 1000 / rate;
      double[] gaps = gaps(ArrivalProcess.POISSON_MS, rate);
      assertThat(java.util.Arrays.stream(gaps).allMatch(g -> g == Math.rint(g))).isTrue();
      double d = KolmogorovSmirnov.statistic(gaps, k -> poissonCdf(mean, (int) k));
      assertThat(d).as("rate %s", rate).isLessThan(KolmogorovSmirnov.critical001(N));
    }
  }

  /** Means above what Knuth's sampler handles in one piece are split, and stay right. */
  @Test
  void poissonMillisecondGapsKeepTheirMeanAtLowRates() {
    double[] gaps = gaps(ArrivalProcess.POISSON_MS, 0.5);
    double mean = java.util.Arrays.stream(gaps).average().orElseThrow();
    assertThat(mean).isCloseTo(2000, org.assertj.core.data.Percentage.withPercentage(1));
  }

  private static double[] sizes(QuerySizes sizes) {
    SplittableRandom random = new SplittableRandom(11);
    double[] sample = new double[N];
    for (int i = 0; i < N; i++) {
      sample[i] = sizes.next(random);
    }
    return sample;
  }

  private static double[] gaps(ArrivalProcess process, double rate) {
    SplittableRandom random = new SplittableRandom(5);
    double[] sample = new double[N];
    for (int i = 0; i < N; i++) {
      sample[i] = process.nextGapMs(random, rate);
    }
    return sample;
  }

  private static double poissonCdf(double mean, int k) {
    double term = Math.exp(-mean);
    double sum = term;
    for (int i = 1; i <= k; i++) {
      term *= mean / i;
      sum += term;
    }
    return Math.min(1, sum);
  }
}

package io.deeprec.job.load;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * How the gaps between query arrivals are drawn at a given rate. Both keep the mean gap at
 * 1000 / rate ms; they differ in burstiness.
 */
public enum ArrivalProcess {
  /** A Poisson process: exponential gaps (DeepRecInfra's model of production traffic). */
  POISSON("poisson"),
  /**
   * The reference implementation's integer gaps: a Poisson-distributed number of milliseconds with
   * mean 1000 / rate. Its variance equals its mean (in ms), so it is less bursty than exponential
   * gaps at rates below 1000 queries/s; above that most gaps are 0 and queries come in clumps.
   */
  POISSON_MS("poisson-ms");

  /** Knuth's sampler needs exp(-mean) > 0 in doubles; larger means are split into chunks of this. */
  private static final double MAX_KNUTH_MEAN = 500.0;

  private final String cliName;

  ArrivalProcess(String cliName) {
    this.cliName = cliName;
  }

  public String cliName() {
    return cliName;
  }

  /** One gap in ms before the next arrival at {@code rateQps} (> 0) queries per second. */
  public double nextGapMs(SplittableRandom random, double rateQps) {
    double meanMs = 1000.0 / rateQps;
    return switch (this) {
      case POISSON -> -Math.log(1.0 - random.nextDouble()) * meanMs;
      case POISSON_MS -> poisson(random, meanMs);
    };
  }

  /** A Poisson(mean) integer; a sum of Poisson variables is Poisson, so large means are split. */
  static long poisson(SplittableRandom random, double mean) {
    long total = 0;
    double left = mean;
    while (left > 0) {
      double chunk = Math.min(left, MAX_KNUTH_MEAN);
      double limit = Math.exp(-chunk);
      double product = random.nextDouble();
      while (product > limit) {
        total++;
        product *= random.nextDouble();
      }
      left -= chunk;
    }
    return total;
  }

  /** Parses {@code poisson} or {@code poisson-ms}. */
  public static ArrivalProcess parse(String name) {
    String wanted = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    for (ArrivalProcess process : values()) {
      if (process.cliName.equals(wanted)) {
        return process;
      }
    }
    throw new IllegalArgumentException("unknown arrival process '" + name + "', expected poisson or poisson-ms");
  }
}

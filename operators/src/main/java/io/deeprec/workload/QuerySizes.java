package io.deeprec.workload;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

  /** DeepRecInfra's production-like sizes: lognormal(5.1, 0.2), p50 164, p95 227, p99 261. */
  static QuerySizes deepRecInfra() {
    return lognormal(5.1, 0.2);
  }

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
   * Sizes drawn uniformly from observed ones (a production trace): a file with one size per line,
   * or {@code size,count} lines; blank lines and lines starting with {@code #} are skipped. Sizes
   * are clipped to [1, 1024].
   */
  static QuerySizes empirical(Path file) {
    List<Integer> sizes = new ArrayList<>();
    List<Long> counts = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(file)) {
        String trimmed = line.trim();
        if (trimmed.isEmpty() || trimmed.startsWith("#")) {
          continue;
        }
        String[] cells = trimmed.split("[,\\s]+");
        long count = cells.length > 1 ? Long.parseLong(cells[1]) : 1;
        if (count < 0) {
          throw new IllegalArgumentException("negative count in line '" + line + "'");
        }
        sizes.add(clip(Double.parseDouble(cells[0])));
        counts.add(count);
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read query sizes from " + file + ": " + e.getMessage(), e);
    }
    return empirical(sizes, counts);
  }

  /** Sizes drawn with probability proportional to {@code counts}, clipped to [1, 1024]. */
  static QuerySizes empirical(List<Integer> sizes, List<Long> counts) {
    int n = sizes.size();
    long[] cumulative = new long[n];
    int[] values = new int[n];
    long total = 0;
    for (int i = 0; i < n; i++) {
      total += counts.get(i);
      cumulative[i] = total;
      values[i] = clip(sizes.get(i));
    }
    if (total <= 0) {
      throw new IllegalArgumentException("an empirical size distribution needs at least one size");
    }
    long sum = total;
    return random -> {
      long u = random.nextLong(sum);
      int index = java.util.Arrays.binarySearch(cumulative, u + 1);
      return values[index >= 0 ? index : -index - 1];
    };
  }

  /**
   * Parses {@code lognormal}, {@code lognormal:MU:SIGMA}, {@code normal}, {@code normal:MEAN:SD},
   * {@code fixed:N} or {@code empirical:FILE}.
   */
  static QuerySizes parse(String spec) {
    String trimmed = spec.trim();
    if (trimmed.toLowerCase(Locale.ROOT).startsWith("empirical:")) {
      return empirical(Path.of(trimmed.substring("empirical:".length())));
    }
    String[] parts = trimmed.toLowerCase(Locale.ROOT).split(":");
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
        + "', expected lognormal[:mu:sigma], normal[:mean:sd], fixed:N or empirical:FILE");
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

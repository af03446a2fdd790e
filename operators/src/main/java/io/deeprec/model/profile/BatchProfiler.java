package io.deeprec.model.profile;

import io.deeprec.model.FeatureBatch;
import io.deeprec.model.FeatureStore;
import io.deeprec.model.ModelScorer;
import io.deeprec.model.RecModel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * Measures a model's per-request latency and single-worker throughput at batch sizes 1, 2, 4, ...
 * up to a maximum: the model's offline peak ("physical limit") that serving benchmarks compare
 * against. One scorer on the calling thread, inputs drawn up front (feature generation is not
 * timed) and rotated so that repeated runs do not hit the same embedding rows; each batch size
 * gets warm-up runs first, then timed runs until {@code repeats} or the per-size time budget.
 */
public final class BatchProfiler {
  private static final int INPUT_ROTATION = 4;

  private final int maxBatch;
  private final int repeats;
  private final int warmups;
  private final long budgetNanos;
  private final long seed;

  /** One batch size's measurement. Latencies in milliseconds; throughput over the timed runs. */
  public record Row(int batchSize, int runs, double medianMs, double p95Ms, double p99Ms, double meanMs,
      double itemsPerSecond) {}

  private BatchProfiler(Builder b) {
    this.maxBatch = b.maxBatch;
    this.repeats = b.repeats;
    this.warmups = b.warmups;
    this.budgetNanos = (long) (b.secondsPerSize * 1e9);
    this.seed = b.seed;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The batch sizes measured: powers of two from 1 up to and including {@code maxBatch}. */
  public List<Integer> batchSizes() {
    List<Integer> sizes = new ArrayList<>();
    for (int b = 1; b <= maxBatch; b *= 2) {
      sizes.add(b);
    }
    if (sizes.get(sizes.size() - 1) != maxBatch) {
      sizes.add(maxBatch);
    }
    return sizes;
  }

  /** Profiles {@code model}; {@code progress} gets each row as soon as it is measured. */
  public List<Row> profile(RecModel model, Consumer<Row> progress) {
    SplittableRandom random = new SplittableRandom(seed);
    List<Row> rows = new ArrayList<>();
    try (ModelScorer scorer = model.newScorer()) {
      for (int batch : batchSizes()) {
        FeatureBatch[] inputs = new FeatureBatch[INPUT_ROTATION];
        for (int i = 0; i < inputs.length; i++) {
          inputs[i] = FeatureStore.randomBatch(model.spec(), batch, random);
        }
        Row row = measure(scorer, batch, inputs);
        rows.add(row);
        progress.accept(row);
      }
    }
    return rows;
  }

  private Row measure(ModelScorer scorer, int batch, FeatureBatch[] inputs) {
    for (int i = 0; i < warmups; i++) {
      scorer.score(inputs[i % inputs.length]);
    }
    Histogram histogram = new Histogram(3);
    long total = 0;
    int runs = 0;
    while (runs < repeats && (runs < 3 || total < budgetNanos)) {
      FeatureBatch input = inputs[runs % inputs.length];
      long start = System.nanoTime();
      scorer.score(input);
      long elapsed = System.nanoTime() - start;
      histogram.recordValue(Math.max(1, elapsed));
      total += elapsed;
      runs++;
    }
    return new Row(batch, runs, histogram.getValueAtPercentile(50) / 1e6, histogram.getValueAtPercentile(95) / 1e6,
        histogram.getValueAtPercentile(99) / 1e6, total / 1e6 / runs, (double) batch * runs / (total / 1e9));
  }

  /** The row with the highest throughput. */
  public static Row peak(List<Row> rows) {
    Row best = rows.get(0);
    for (Row r : rows) {
      if (r.itemsPerSecond() > best.itemsPerSecond()) {
        best = r;
      }
    }
    return best;
  }

  /**
   * The smallest batch size reaching {@code fraction} (e.g. 0.9) of the peak throughput: where
   * batching stops paying. Small for MLP-bound models, large for embedding-bound ones.
   */
  public static Row knee(List<Row> rows, double fraction) {
    double target = peak(rows).itemsPerSecond() * fraction;
    for (Row r : rows) {
      if (r.itemsPerSecond() >= target) {
        return r;
      }
    }
    return peak(rows);
  }

  /**
   * The highest-throughput row whose p95 stays within {@code targetMs}: the batch size a model
   * prefers when one request must meet its latency target. Null when no batch size does.
   */
  public static Row bestWithin(List<Row> rows, double targetMs) {
    Row best = null;
    for (Row r : rows) {
      if (r.p95Ms() <= targetMs && (best == null || r.itemsPerSecond() > best.itemsPerSecond())) {
        best = r;
      }
    }
    return best;
  }

  /** Settings; defaults: batches up to 1024, 50 timed runs after 5 warm-ups, 5 s per size, seed 1. */
  public static final class Builder {
    private int maxBatch = 1024;
    private int repeats = 50;
    private int warmups = 5;
    private double secondsPerSize = 5;
    private long seed = 1;

    private Builder() {}

    public Builder maxBatch(int value) {
      this.maxBatch = value;
      return this;
    }

    public Builder repeats(int value) {
      this.repeats = value;
      return this;
    }

    public Builder warmups(int value) {
      this.warmups = value;
      return this;
    }

    /** Time budget of the timed runs of one batch size (at least 3 runs are always made). */
    public Builder secondsPerSize(double value) {
      this.secondsPerSize = value;
      return this;
    }

    public Builder seed(long value) {
      this.seed = value;
      return this;
    }

    public BatchProfiler build() {
      if (maxBatch < 1 || repeats < 1 || warmups < 0 || !(secondsPerSize > 0)) {
        throw new IllegalArgumentException("profiler settings out of range: maxBatch=" + maxBatch + " repeats="
            + repeats + " warmups=" + warmups + " secondsPerSize=" + secondsPerSize);
      }
      return new BatchProfiler(this);
    }
  }
}

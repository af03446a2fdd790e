package io.deeprec.sched;

/**
 * Clipper-style adaptive batching: additive increase of the batch size while the window's p95
 * meets the latency target, multiplicative decrease on a miss. Clipper applies it to the size of
 * merged batches; here the batch size is the per-request split size, so growing it means less
 * splitting (less total work, more capacity, slower single queries) and shrinking it means more
 * splitting. The policy therefore hovers around the largest batch size that still meets the target
 * at the current load, reacting only to misses and never measuring which setting is actually best.
 */
public final class AimdBatchPolicy implements BatchPolicy {
  private static final long serialVersionUID = 1L;

  /** Default additive step (items per window under target). */
  public static final int DEFAULT_ADDITIVE_STEP = 8;

  /** Default multiplicative back-off on a miss: Clipper's 10% decrease. */
  public static final double DEFAULT_DECREASE_FACTOR = 0.9;

  private final double targetP95Ms;
  private final int minBatchSize;
  private final int maxBatchSize;
  private final int additiveStep;
  private final double decreaseFactor;
  private BatchSettings settings;

  private AimdBatchPolicy(Builder builder) {
    this.targetP95Ms = builder.targetP95Ms;
    this.minBatchSize = builder.minBatchSize;
    this.maxBatchSize = builder.maxBatchSize;
    this.additiveStep = builder.additiveStep;
    this.decreaseFactor = builder.decreaseFactor;
    this.settings = new BatchSettings(builder.initialBatchSize, 0, 0);
  }

  /** A builder for the given p95 latency target (ms). */
  public static Builder builder(double targetP95Ms) {
    return new Builder(targetP95Ms);
  }

  @Override
  public String name() {
    return "aimd";
  }

  @Override
  public synchronized BatchSettings settings() {
    return settings;
  }

  @Override
  public boolean adaptive() {
    return true;
  }

  @Override
  public synchronized BatchSettings observe(WindowObservation window) {
    if (window.queries() == 0) {
      return settings;
    }
    int batch = settings.batchSize();
    int next = window.p95Ms() <= targetP95Ms
        ? Math.min(maxBatchSize, batch + additiveStep)
        : Math.max(minBatchSize, (int) Math.floor(batch * decreaseFactor));
    if (next != batch) {
      settings = new BatchSettings(next, 0, 0);
    }
    return settings;
  }

  @Override
  public synchronized String toString() {
    return "aimd(batch=" + settings.batchSize() + ", targetP95Ms=" + targetP95Ms + ")";
  }

  /** Settings of {@link AimdBatchPolicy}; {@link #build()} names any bad one. */
  public static final class Builder {
    private final double targetP95Ms;
    private int initialBatchSize = 64;
    private int minBatchSize = 1;
    private int maxBatchSize = BatchSettings.MAX_BATCH;
    private int additiveStep = DEFAULT_ADDITIVE_STEP;
    private double decreaseFactor = DEFAULT_DECREASE_FACTOR;

    private Builder(double targetP95Ms) {
      this.targetP95Ms = targetP95Ms;
    }

    /** First batch size (default 64). */
    public Builder initialBatchSize(int value) {
      this.initialBatchSize = value;
      return this;
    }

    /** Smallest batch size a decrease may reach (default 1). */
    public Builder minBatchSize(int value) {
      this.minBatchSize = value;
      return this;
    }

    /** Largest batch size an increase may reach (default 1024). */
    public Builder maxBatchSize(int value) {
      this.maxBatchSize = value;
      return this;
    }

    /** Items added per window that meets the target (default 8). */
    public Builder additiveStep(int value) {
      this.additiveStep = value;
      return this;
    }

    /** Factor in (0, 1) applied to the batch size on a miss (default 0.9). */
    public Builder decreaseFactor(double value) {
      this.decreaseFactor = value;
      return this;
    }

    public AimdBatchPolicy build() {
      if (!(targetP95Ms > 0)) {
        throw new IllegalArgumentException("aimd: target p95 must be > 0 ms: " + targetP95Ms);
      }
      if (minBatchSize < 1 || maxBatchSize > BatchSettings.MAX_BATCH || minBatchSize > maxBatchSize) {
        throw new IllegalArgumentException(
            "aimd: need 1 <= minBatchSize <= maxBatchSize <= " + BatchSettings.MAX_BATCH + ": " + minBatchSize + ", " + maxBatchSize);
      }
      if (initialBatchSize < minBatchSize || initialBatchSize > maxBatchSize) {
        throw new IllegalArgumentException(
            "aimd: initialBatchSize must be in [" + minBatchSize + ", " + maxBatchSize + "]: " + initialBatchSize);
      }
      if (additiveStep < 1) {
        throw new IllegalArgumentException("aimd: additiveStep must be >= 1: " + additiveStep);
      }
      if (!(decreaseFactor > 0 && decreaseFactor < 1)) {
        throw new IllegalArgumentException("aimd: decreaseFactor must be in (0, 1): " + decreaseFactor);
      }
      return new AimdBatchPolicy(this);
    }
  }
}

package io.deeprec.sched;

/**
 * Every query is split into requests of at most {@code batchSize} items; optionally a partial
 * request waits up to {@code maxQueueDelayMs} to be filled with items of other queries.
 */
public final class FixedBatchPolicy implements BatchPolicy {
  private static final long serialVersionUID = 1L;

  private final BatchSettings settings;

  public FixedBatchPolicy(int batchSize, long maxQueueDelayMs) {
    this.settings = new BatchSettings(batchSize, maxQueueDelayMs, 0);
  }

  @Override
  public String name() {
    return "fixed";
  }

  @Override
  public BatchSettings settings() {
    return settings;
  }

  @Override
  public String toString() {
    return "fixed(batch=" + settings.batchSize() + ", maxDelayMs=" + settings.maxQueueDelayMs() + ")";
  }
}

package io.deeprec.sched;

/**
 * Triton-style dynamic batching: items of different queries are merged into one request of up to
 * {@code maxBatchSize} items, and a request that is not full is released once its oldest item has
 * waited {@code maxQueueDelayMs}. Merging trades a little queueing delay for fewer per-call fixed
 * costs, which pays off for small queries on models with a large per-call cost.
 *
 * <p>Triton itself never splits a request: a query larger than the max batch is rejected (or must
 * be cut by the client). Our batcher always cuts such a query into max-batch-sized pieces, so this
 * baseline is Triton's merging plus our splitting of oversized queries; with the default max batch
 * above typical query sizes the difference does not arise.
 */
public final class TimeoutBatchPolicy implements BatchPolicy {
  private static final long serialVersionUID = 1L;

  private final BatchSettings settings;

  /**
   * @param maxBatchSize most items in one merged request, 1..1024
   * @param maxQueueDelayMs longest wait (ms) of a partial request for more items; must be > 0
   *     (with 0 nothing ever merges and this is the {@code fixed} policy)
   */
  public TimeoutBatchPolicy(int maxBatchSize, long maxQueueDelayMs) {
    if (maxQueueDelayMs <= 0) {
      throw new IllegalArgumentException(
          "timeout batching needs a max queue delay > 0 ms (0 never merges: use the fixed policy): " + maxQueueDelayMs);
    }
    this.settings = new BatchSettings(maxBatchSize, maxQueueDelayMs, 0);
  }

  @Override
  public String name() {
    return "timeout";
  }

  @Override
  public BatchSettings settings() {
    return settings;
  }

  @Override
  public String toString() {
    return "timeout(maxBatch=" + settings.batchSize() + ", maxDelayMs=" + settings.maxQueueDelayMs() + ")";
  }
}

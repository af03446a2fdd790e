package io.deeprec.job.bench;

import io.deeprec.model.FeatureBatch;
import io.deeprec.model.profile.BatchProfiler;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A model's offline peak on the cores the benchmark uses: the batch-size curve of one worker
 * ({@link BatchProfiler}) picks the best batch size, then every worker of the pool runs requests of
 * that size back to back (closed loop, two requests queued per worker, no latency bound) and the
 * items completed per second are the peak. Queries/s divide by the mean query size.
 *
 * @param profile the single-worker curve (also seeds deeprecsched)
 * @param bestBatch the batch size of the highest single-worker throughput
 * @param itemsPerSecond items/s of the whole pool at that batch size
 * @param queriesPerSecond itemsPerSecond / the mean query size
 */
public record OfflinePeak(List<BatchProfiler.Row> profile, int bestBatch, double itemsPerSecond, double queriesPerSecond) {

  static OfflinePeak measure(InProcessHarness harness, BatchProfiler profiler, double seconds, double meanQueryItems) {
    List<BatchProfiler.Row> rows = profiler.profile(harness.model(), row -> { });
    int best = BatchProfiler.peak(rows).batchSize();
    int workers = harness.workers().workerCount();
    FeatureBatch input = harness.inputs(best, new SplittableRandom(3));
    Semaphore slots = new Semaphore(2 * workers);
    AtomicLong items = new AtomicLong();
    long warmEnd = System.nanoTime() + (long) (Math.min(0.5, seconds / 4) * 1e9);
    long end = warmEnd + (long) (seconds * 1e9);
    long countedFrom = 0;
    while (true) {
      long now = System.nanoTime();
      if (now >= end) {
        break;
      }
      if (countedFrom == 0 && now >= warmEnd) {
        countedFrom = now;
        items.set(0);
      }
      slots.acquireUninterruptibly();
      harness.workers().submit(harness.model(), input).whenComplete((scored, error) -> {
        items.addAndGet(best);
        slots.release();
      });
    }
    slots.acquireUninterruptibly(2 * workers);
    double perSecond = items.get() / ((System.nanoTime() - countedFrom) / 1e9);
    return new OfflinePeak(rows, best, perSecond, perSecond / meanQueryItems);
  }
}

package io.deeprec.job.bench;

import io.deeprec.model.FeatureBatch;
import io.deeprec.model.profile.BatchProfiler;
import io.deeprec.model.profile.ProfileReport;
import io.deeprec.sched.LatencyStats;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A model's offline peak on the cores the benchmark uses, and its batch-size curve as the pool
 * serves it. For each batch size every worker runs requests back to back, one in flight per
 * worker (closed loop, no latency bound): the median request latency with all workers busy and the
 * pool's items/s. That is the regime near the latency-bounded throughput, and on a few shared
 * cores it differs from one worker alone (memory bandwidth and caches are shared: an
 * embedding-heavy model can do better with small requests in parallel than with large ones).
 * The size with the most items/s then runs for longer with two requests queued per worker; its
 * items/s is the peak, and queries/s divide it by the mean query size.
 *
 * @param profile the pool curve, one row per batch size (also seeds deeprecsched)
 * @param bestBatch the batch size of the highest pool throughput
 * @param itemsPerSecond items/s of the whole pool at that batch size
 * @param queriesPerSecond itemsPerSecond / the mean query size
 */
public record OfflinePeak(List<BatchProfiler.Row> profile, int bestBatch, double itemsPerSecond, double queriesPerSecond) {
  /** Sizes between the powers of two that deeprecsched also tries. */
  private static final List<Integer> EXTRA_SIZES = List.of(48, 96, 192, 384);
  /**
   * Passes over the sizes, in alternating order, each size's row the pass with its median throughput: a size
   * measured once, for a fraction of a second, carries that moment's stall or cache state into deeprecsched's seed.
   */
  static final int PASSES = 3;
  /** Distinct inputs per batch size, used in turn. */
  private static final int INPUT_ROTATION = 8;
  private static final String PEAK_HEADER = "best_batch,items_per_s,queries_per_s";

  /** Writes the curve to {@code <model>-profile.csv} and the peak to {@code <model>-peak.csv} in {@code dir}. */
  void write(Path dir, String model) throws IOException {
    ProfileReport.writeCsv(profile, dir.resolve(model + "-profile.csv"));
    Files.writeString(dir.resolve(model + "-peak.csv"), PEAK_HEADER + "\n"
        + String.format(Locale.ROOT, "%d,%.1f,%.2f%n", bestBatch, itemsPerSecond, queriesPerSecond), StandardCharsets.UTF_8);
  }

  /** The peak {@link #write} left in {@code dir} for {@code model}; empty when either file is missing. */
  static Optional<OfflinePeak> read(Path dir, String model) throws IOException {
    Path curve = dir.resolve(model + "-profile.csv");
    Path peak = dir.resolve(model + "-peak.csv");
    if (!Files.isRegularFile(curve) || !Files.isRegularFile(peak)) {
      return Optional.empty();
    }
    List<String> lines = Files.readAllLines(peak, StandardCharsets.UTF_8);
    if (lines.size() < 2 || !lines.get(0).equals(PEAK_HEADER)) {
      throw new IOException(peak + " is not a peak CSV (first line must be " + PEAK_HEADER + ")");
    }
    String[] f = lines.get(1).split(",");
    try {
      return Optional.of(new OfflinePeak(ProfileReport.readCsv(curve), Integer.parseInt(f[0].trim()),
          Double.parseDouble(f[1].trim()), Double.parseDouble(f[2].trim())));
    } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
      throw new IOException(peak + ": bad row '" + lines.get(1) + "'", e);
    }
  }

  static OfflinePeak measure(InProcessHarness harness, List<Integer> powersOfTwo, double secondsPerSize, double seconds,
      double meanQueryItems) {
    TreeSet<Integer> sizes = new TreeSet<>(powersOfTwo);
    int largest = sizes.last();
    EXTRA_SIZES.stream().filter(size -> size < largest).forEach(sizes::add);
    List<Integer> order = new ArrayList<>(sizes);
    List<List<BatchProfiler.Row>> passes = new ArrayList<>();
    for (int pass = 0; pass < PASSES; pass++) {
      List<BatchProfiler.Row> rows = new ArrayList<>();
      for (int size : order) {
        rows.add(saturate(harness, size, 1, secondsPerSize, new LatencyStats()));
      }
      passes.add(rows);
      Collections.reverse(order);
    }
    List<BatchProfiler.Row> rows = medianByThroughput(passes);
    int best = BatchProfiler.peak(rows).batchSize();
    double perSecond = saturate(harness, best, 2, seconds, new LatencyStats()).itemsPerSecond();
    return new OfflinePeak(List.copyOf(rows), best, perSecond, perSecond / meanQueryItems);
  }

  /**
   * For each batch size, the row of the pass with the median items/s (the lower middle of an even count), in
   * ascending batch size.
   */
  static List<BatchProfiler.Row> medianByThroughput(List<List<BatchProfiler.Row>> passes) {
    Map<Integer, List<BatchProfiler.Row>> bySize = new TreeMap<>();
    passes.forEach(pass -> pass.forEach(row -> bySize.computeIfAbsent(row.batchSize(), size -> new ArrayList<>()).add(row)));
    List<BatchProfiler.Row> rows = new ArrayList<>();
    for (List<BatchProfiler.Row> measured : bySize.values()) {
      measured.sort(Comparator.comparingDouble(BatchProfiler.Row::itemsPerSecond));
      rows.add(measured.get((measured.size() - 1) / 2));
    }
    return List.copyOf(rows);
  }

  /** Every worker busy with requests of {@code batch} items, {@code perWorker} in flight each, for {@code seconds}. */
  private static BatchProfiler.Row saturate(InProcessHarness harness, int batch, int perWorker, double seconds,
      LatencyStats latencies) {
    int workers = harness.workers().workerCount();
    // Several slices of the feature pool in turn: one input repeated keeps its embedding rows in cache.
    SplittableRandom random = new SplittableRandom(3);
    FeatureBatch[] inputs = new FeatureBatch[INPUT_ROTATION];
    for (int i = 0; i < inputs.length; i++) {
      inputs[i] = harness.inputs(batch, random);
    }
    int next = 0;
    Semaphore slots = new Semaphore(perWorker * workers);
    AtomicLong completed = new AtomicLong();
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
        completed.set(0);
        synchronized (latencies) {
          latencies.reset();
        }
      }
      slots.acquireUninterruptibly();
      long submitted = System.nanoTime();
      FeatureBatch input = inputs[next++ % inputs.length];
      harness.workers().submit(harness.model(), input).whenComplete((scored, error) -> {
        double ms = (System.nanoTime() - submitted) / 1e6;
        synchronized (latencies) {
          latencies.record(ms);
        }
        completed.incrementAndGet();
        slots.release();
      });
    }
    slots.acquireUninterruptibly(perWorker * workers);
    double elapsedS = (System.nanoTime() - countedFrom) / 1e9;
    synchronized (latencies) {
      return new BatchProfiler.Row(batch, (int) completed.get(), latencies.percentile(50), latencies.percentile(95),
          latencies.percentile(99), latencies.meanMs(), completed.get() * batch / elapsedS);
    }
  }
}

package io.deeprec.inference;

import io.deeprec.model.FeatureBatch;
import io.deeprec.model.FeatureStore;
import io.deeprec.model.ModelScorer;
import io.deeprec.model.RecModel;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.SplittableRandom;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CPU inference workers of one JVM (TaskManager): single-threaded workers pulling from ONE
 * shared FIFO, so an idle worker always takes the next request (work-conserving, like the
 * reference's shared queue; round-robin push to per-slot queues would let one queue back up while
 * another worker idles). Each worker thread owns one scorer (one DJL Predictor) per model.
 *
 * <p>Shared by every inference subtask of the JVM and reference-counted; the first {@link
 * #acquire} fixes the worker count. Bounding in-flight work is the async operator's job (its
 * capacity), so the queue itself is unbounded.
 */
public final class InferenceWorkers {
  private static final Logger LOG = LoggerFactory.getLogger(InferenceWorkers.class);
  private static final Object LOCK = new Object();
  private static final java.lang.management.ThreadMXBean THREAD_CPU = java.lang.management.ManagementFactory.getThreadMXBean();
  private static InferenceWorkers shared;
  private static int leases;

  private final BlockingQueue<Task> queue = new LinkedBlockingQueue<>();
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong busyNanos = new AtomicLong();
  private final Map<RecModel, Boolean> prepared = new IdentityHashMap<>();
  private volatile boolean running = true;
  /** The work each request is charged: its model CPU time over the share of this JVM's cores left to the workers. */
  private final io.deeprec.serving.RequestCpuCost requestCpuCost;
  /** Tells this pool from other TaskManagers' in results, which count workers per distinct pool. */
  private final String id = java.util.UUID.randomUUID().toString();

  private InferenceWorkers(int workers) {
    requestCpuCost = new io.deeprec.serving.RequestCpuCost(InferenceWorkers::processCpuNanos, workers,
        Runtime.getRuntime().availableProcessors(), 1_000, System.nanoTime());
    for (int i = 0; i < workers; i++) {
      Thread thread = new Thread(this::workLoop, "deeprec-cpu-worker-" + i);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
    }
    LOG.info("started {} CPU inference workers", workers);
  }

  /**
   * Takes a lease on this JVM's workers, starting {@code workers} threads on first use.
   *
   * @param workers worker threads; <= 0 means one per available core
   */
  public static Lease acquire(int workers) {
    synchronized (LOCK) {
      if (shared == null) {
        shared = new InferenceWorkers(workers > 0 ? workers : Runtime.getRuntime().availableProcessors());
      }
      leases++;
      return new Lease(shared);
    }
  }

  /** An id unique to this pool (one per JVM at a time). */
  public String id() {
    return id;
  }

  private static void release() {
    synchronized (LOCK) {
      if (--leases == 0 && shared != null) {
        shared.shutdown();
        shared = null;
      }
    }
  }

  public int workerCount() {
    return threads.size();
  }

  public int queueDepth() {
    return queue.size();
  }

  public long completedRequests() {
    return completed.get();
  }

  /** Nanoseconds the workers have spent scoring requests, summed over workers. */
  public long busyNanos() {
    return busyNanos.get();
  }

  /**
   * Creates {@code model}'s scorer on every worker and runs each of {@code batchSizes} through it
   * twice, so that the first real requests pay neither predictor creation nor first-call costs.
   * Blocks until every worker is done; a model is prepared once per JVM.
   */
  public synchronized void prepare(RecModel model, int[] batchSizes) {
    if (prepared.containsKey(model)) {
      return;
    }
    int workers = threads.size();
    // Each worker must take exactly one preparation task: every task waits at the barrier until
    // all workers hold one. Calls are serialized (synchronized) so two barriers never interleave.
    CyclicBarrier barrier = new CyclicBarrier(workers);
    List<CompletableFuture<Scored>> done = new ArrayList<>();
    for (int i = 0; i < workers; i++) {
      Task task = new Task(model, null, System.nanoTime());
      task.warmupSizes = batchSizes;
      task.barrier = barrier;
      queue.add(task);
      done.add(task.future);
    }
    try {
      CompletableFuture.allOf(done.toArray(new CompletableFuture[0])).get(10, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while warming up " + model.spec().name(), e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("warm-up of " + model.spec().name() + " failed: " + e.getMessage(), e);
    }
    prepared.put(model, Boolean.TRUE);
  }

  private static void warmUp(ModelScorer scorer, RecModel model, int[] batchSizes) {
    SplittableRandom random = new SplittableRandom(17);
    for (int size : batchSizes) {
      FeatureBatch batch = FeatureStore.randomBatch(model.spec(), size, random);
      scorer.score(batch);
      scorer.score(batch);
    }
  }

  /** Queues one request; the future completes on the worker thread that ran it. */
  public CompletableFuture<Scored> submit(RecModel model, FeatureBatch batch) {
    Task task = new Task(model, batch, System.nanoTime());
    if (!running) {
      task.future.completeExceptionally(new IllegalStateException("inference workers are shut down"));
    } else {
      queue.add(task);
    }
    return task.future;
  }

  private void workLoop() {
    Map<RecModel, ModelScorer> scorers = new IdentityHashMap<>();
    try {
      while (running) {
        Task task = queue.take();
        if (task.model == null) {
          break; // poison pill
        }
        long start = System.nanoTime();
        long startCpu = THREAD_CPU.isCurrentThreadCpuTimeSupported() ? THREAD_CPU.getCurrentThreadCpuTime() : -1;
        try {
          ModelScorer scorer = scorers.computeIfAbsent(task.model, RecModel::newScorer);
          if (task.barrier != null) {
            warmUp(scorer, task.model, task.warmupSizes);
            task.barrier.await(10, TimeUnit.MINUTES);
            task.future.complete(new Scored(new float[0], 0, 0, 0));
            continue;
          }
          float[] scores = scorer.score(task.batch);
          long end = System.nanoTime();
          completed.incrementAndGet();
          busyNanos.addAndGet(end - start);
          double modelMs = (end - start) / 1e6;
          double modelCpuMs = startCpu < 0 ? Double.NaN : (THREAD_CPU.getCurrentThreadCpuTime() - startCpu) / 1e6;
          double workMs = requestCpuCost.requestDone(modelMs, modelCpuMs, end);
          logInterval();
          task.future.complete(new Scored(scores, (start - task.enqueuedNanos) / 1e6, modelMs, workMs));
        } catch (RuntimeException | Error | BrokenBarrierException | TimeoutException e) {
          task.future.completeExceptionally(e);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      scorers.values().forEach(ModelScorer::close);
    }
  }

  private long loggedIntervals;

  /** At DEBUG, what each second of request CPU accounting measured (model wall and CPU time, the process's CPU, the cores left to the workers). */
  private void logInterval() {
    if (LOG.isDebugEnabled()) {
      synchronized (requestCpuCost) {
        if (requestCpuCost.intervalsClosed() != loggedIntervals) {
          loggedIntervals = requestCpuCost.intervalsClosed();
          LOG.debug("request CPU interval: {}", requestCpuCost.lastInterval());
        }
      }
    }
  }

  private void shutdown() {
    running = false;
    for (int i = 0; i < threads.size(); i++) {
      queue.add(new Task(null, null, 0));
    }
    for (Thread thread : threads) {
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    Task left;
    while ((left = queue.poll()) != null) {
      if (left.future != null) {
        left.future.completeExceptionally(new IllegalStateException("inference workers shut down"));
      }
    }
    LOG.info("stopped CPU inference workers after {} requests", completed.get());
  }

  /**
   * A scored request.
   *
   * @param scores one per item, in input order
   * @param queueMs time between submit and a worker taking it
   * @param inferenceMs model execution time (wall)
   * @param workMs the work the request is charged ({@link io.deeprec.serving.RequestCpuCost}); 0 when unknown
   */
  public record Scored(float[] scores, double queueMs, double inferenceMs, double workMs) {}

  /** The JVM's CPU time so far (ns); 0 where the platform does not tell it. */
  private static long processCpuNanos() {
    java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean sun ? Math.max(0, sun.getProcessCpuTime()) : 0;
  }

  private static final class Task {
    final RecModel model;
    final FeatureBatch batch;
    final long enqueuedNanos;
    final CompletableFuture<Scored> future = new CompletableFuture<>();
    int[] warmupSizes;
    CyclicBarrier barrier;

    Task(RecModel model, FeatureBatch batch, long enqueuedNanos) {
      this.model = model;
      this.batch = batch;
      this.enqueuedNanos = enqueuedNanos;
    }
  }

  /** A user's hold on the shared workers; close exactly once. */
  public static final class Lease implements AutoCloseable {
    private final InferenceWorkers workers;
    private boolean closed;

    private Lease(InferenceWorkers workers) {
      this.workers = workers;
    }

    public InferenceWorkers workers() {
      return workers;
    }

    @Override
    public synchronized void close() {
      if (!closed) {
        closed = true;
        release();
      }
    }
  }
}

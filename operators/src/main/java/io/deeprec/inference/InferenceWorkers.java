package io.deeprec.inference;

import io.deeprec.model.FeatureBatch;
import io.deeprec.model.ModelScorer;
import io.deeprec.model.RecModel;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
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
  private static InferenceWorkers shared;
  private static int leases;

  private final BlockingQueue<Task> queue = new LinkedBlockingQueue<>();
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicLong completed = new AtomicLong();
  private volatile boolean running = true;

  private InferenceWorkers(int workers) {
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

  /** Requests waiting for a worker in this JVM, or 0 when no workers run here. */
  public static int queueDepthInThisJvm() {
    synchronized (LOCK) {
      return shared == null ? 0 : shared.queue.size();
    }
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
        try {
          ModelScorer scorer = scorers.computeIfAbsent(task.model, RecModel::newScorer);
          float[] scores = scorer.score(task.batch);
          long end = System.nanoTime();
          completed.incrementAndGet();
          task.future.complete(new Scored(scores, (start - task.enqueuedNanos) / 1e6, (end - start) / 1e6));
        } catch (RuntimeException | Error e) {
          task.future.completeExceptionally(e);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      scorers.values().forEach(ModelScorer::close);
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
   * @param inferenceMs model execution time
   */
  public record Scored(float[] scores, double queueMs, double inferenceMs) {}

  private static final class Task {
    final RecModel model;
    final FeatureBatch batch;
    final long enqueuedNanos;
    final CompletableFuture<Scored> future = new CompletableFuture<>();

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

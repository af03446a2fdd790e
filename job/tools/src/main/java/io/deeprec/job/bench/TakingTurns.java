package io.deeprec.job.bench;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * Runs two LBT searches side by side whose probes take turns: the first search's first probe, the
 * second's first, the first's second, and so on (one search goes on alone once the other is done).
 * Two searches run one after the other are minutes apart, and this machine's speed drifts by tens
 * of percent over minutes (one fixed batch size's LBT was 164-217 queries/s between rounds of one
 * run); probes taken in turns share the drift. Never two probes at once: each has the machine.
 */
final class TakingTurns {
  /** One search, taking each of its probes through {@code turn}; returns its LBT (queries/s). */
  @FunctionalInterface
  interface Search {
    double lbt(Turn turn) throws Exception;
  }

  /** A player's turn: {@link #take} waits for it, runs the probe and hands the turn over. */
  static final class Turn {
    private final TakingTurns game;
    private final int player;

    private Turn(TakingTurns game, int player) {
      this.game = game;
      this.player = player;
    }

    /** Waits for this player's turn (or the other's end), runs {@code probe}, then passes the turn. */
    <T> T take(Supplier<T> probe) {
      game.await(player);
      try {
        return probe.get();
      } finally {
        game.pass(player);
      }
    }
  }

  private final Object lock = new Object();
  private int turn;
  private final boolean[] finished = new boolean[2];

  private TakingTurns() {}

  /** The LBTs of {@code first} and {@code second}, run in turns; {@code first} probes first. */
  static double[] run(Search first, Search second) throws InterruptedException {
    TakingTurns game = new TakingTurns();
    ExecutorService threads = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "bench-taking-turns");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<Double>> searches = List.of(threads.submit(game.player(0, first)), threads.submit(game.player(1, second)));
      // Both are waited for, even when one fails: the other must not go on probing beside the next search.
      double[] lbts = new double[2];
      Throwable failure = null;
      for (int i = 0; i < 2; i++) {
        try {
          lbts[i] = searches.get(i).get();
        } catch (ExecutionException e) {
          if (failure == null) {
            failure = e.getCause();
          } else {
            failure.addSuppressed(e.getCause());
          }
        }
      }
      if (failure != null) {
        throw new IllegalStateException("a paired search failed: " + failure, failure);
      }
      return lbts;
    } finally {
      threads.shutdownNow();
    }
  }

  private Callable<Double> player(int player, Search search) {
    return () -> {
      try {
        return search.lbt(new Turn(this, player));
      } finally {
        synchronized (lock) {
          finished[player] = true;
          lock.notifyAll();
        }
      }
    };
  }

  private void await(int player) {
    synchronized (lock) {
      while (turn != player && !finished[1 - player]) {
        try {
          lock.wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for a turn", e);
        }
      }
    }
  }

  private void pass(int player) {
    synchronized (lock) {
      turn = 1 - player;
      lock.notifyAll();
    }
  }
}

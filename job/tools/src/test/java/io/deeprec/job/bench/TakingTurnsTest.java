package io.deeprec.job.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TakingTurnsTest {

  /** A search of {@code probes} probes that logs "name:i" per probe and returns {@code result}. */
  private static TakingTurns.Search search(String name, int probes, double result, List<String> log, AtomicInteger running) {
    return turn -> {
      for (int i = 0; i < probes; i++) {
        int probe = i;
        turn.take(() -> {
          assertThat(running.incrementAndGet()).as("probes running at once").isEqualTo(1);
          log.add(name + ":" + probe);
          Thread.onSpinWait();
          running.decrementAndGet();
          return null;
        });
      }
      return result;
    };
  }

  @Test
  void probesAlternateAndTheLongerSearchFinishesAlone() throws InterruptedException {
    List<String> log = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger running = new AtomicInteger();

    double[] lbts = TakingTurns.run(search("a", 4, 1.0, log, running), search("b", 2, 2.0, log, running));

    assertThat(lbts).containsExactly(1.0, 2.0);
    assertThat(log).containsExactly("a:0", "b:0", "a:1", "b:1", "a:2", "a:3");
  }

  @Test
  void aFailedSearchFailsTheRunWithoutBlockingTheOther() {
    List<String> log = Collections.synchronizedList(new ArrayList<>());
    TakingTurns.Search broken = turn -> {
      turn.take(() -> {
        throw new IllegalStateException("probe failed");
      });
      return 0;
    };

    assertThatThrownBy(() -> TakingTurns.run(broken, search("b", 3, 2.0, log, new AtomicInteger())))
        .hasMessageContaining("probe failed");
    assertThat(log).containsExactly("b:0", "b:1", "b:2");
  }
}

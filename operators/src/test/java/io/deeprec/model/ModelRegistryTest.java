package io.deeprec.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** One model instance per JVM and key, shared by all leases, closed after the last. */
class ModelRegistryTest {

  /** Input: two acquires of one key. Expected: the same instance; closed (unusable) after both releases. */
  @Test
  void shouldShareOneInstanceAndCloseAfterLastRelease() {
    ModelKey key = ModelKey.random(ModelId.WND, 0.001, 3);
    RecModel shared;
    try (ModelRegistry.Lease a = ModelRegistry.acquire(key)) {
      try (ModelRegistry.Lease b = ModelRegistry.acquire(key)) {
        assertThat(b.model()).isSameAs(a.model());
        assertThat(ModelRegistry.leases(key)).isEqualTo(2);
      }
      assertThat(ModelRegistry.leases(key)).isEqualTo(1);
      shared = a.model();
      try (ModelScorer scorer = shared.newScorer()) {
        assertThat(scorer.score(FeatureStore.randomBatch(shared.spec(), 4, new SplittableRandom(1)))).hasSize(4);
      }
    }
    assertThat(ModelRegistry.leases(key)).isZero();
    assertThatThrownBy(shared::newScorer).isInstanceOf(IllegalStateException.class);
    try (ModelRegistry.Lease again = ModelRegistry.acquire(key)) {
      assertThat(again.model()).isNotSameAs(shared);
    }
  }

  /**
   * Input: an RMC1 with ~205 MB of tables, leased twice (two slots). Expected: the first lease grows
   * the process by about the table size, the second by almost nothing (no second copy).
   */
  @Test
  void shouldNotDoubleMemoryForASecondLease() throws IOException {
    ModelKey key = ModelKey.random(ModelId.RMC1, 0.05, 4);
    long tableBytes = ModelCatalog.rmc1().withTableScale(0.05).embeddingBytes();
    long before = rssBytes();
    try (ModelRegistry.Lease a = ModelRegistry.acquire(key)) {
      long afterFirst = rssBytes();
      try (ModelRegistry.Lease b = ModelRegistry.acquire(key)) {
        long afterSecond = rssBytes();
        assertThat(b.model()).isSameAs(a.model());
        if (before > 0) {
          assertThat(afterFirst - before).as("first lease").isGreaterThan(tableBytes / 2);
          assertThat(afterSecond - afterFirst).as("second lease").isLessThan(tableBytes / 10);
        }
      }
    }
  }

  /** Resident set size from /proc (Linux); 0 elsewhere, where the identity check must do. */
  static long rssBytes() throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.isReadable(status)) {
      return 0;
    }
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return 0;
  }
}

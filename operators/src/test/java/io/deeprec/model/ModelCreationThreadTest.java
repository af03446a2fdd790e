package io.deeprec.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * PyTorch's grad mode is per thread and DJL disables it only on the thread that loads the engine.
 * A Flink task thread that builds a model after the engine was loaded elsewhere (the benchmark's
 * Flink path after its in-process part) must still be able to write the seeded weights in place.
 */
class ModelCreationThreadTest {
  @Test
  void shouldCreateChunkedTablesOnAThreadOtherThanTheEngineLoader() throws Exception {
    try (RecModel small = ModelFactory.create(ModelKey.random(ModelId.NCF, 0.001, 1))) {
      assertThat(small.spec().id()).isEqualTo(ModelId.NCF);
    }
    ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      // 0.01 x WnD's tables = 8.6 M floats: above WeightInit's chunk, so rows are written in place.
      CompletableFuture<ModelSpec> built = CompletableFuture.supplyAsync(() -> {
        try (RecModel model = ModelFactory.create(ModelKey.random(ModelId.WND, 0.01, 1))) {
          return model.spec();
        }
      }, other);
      ModelSpec spec = built.get(2, TimeUnit.MINUTES);
      assertThat(spec.totalRows() * spec.embeddingDim()).isGreaterThan(1L << 22);
    } finally {
      other.shutdownNow();
    }
  }
}

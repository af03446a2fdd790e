package io.deeprec.model.nn;

import static org.assertj.core.api.Assertions.assertThat;

import io.deeprec.model.ModelFactory;
import io.deeprec.model.ModelId;
import io.deeprec.model.ModelKey;
import io.deeprec.model.RecModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded weights are part of a model's identity: a score golden file, a saved model and another
 * JVM's copy all assume that a seed gives the same parameters, whichever way they are written.
 */
class WeightInitTest {
  /** CRC-32 of rmc1's saved parameters at table scale 0.01, seed 7 (tables of several chunks). */
  private static final long RMC1_SEED_7_PARAMETERS_CRC = 1_165_317_802L;

  @Test
  void shouldGiveTheSameParametersForTheSameSeed(@TempDir Path dir) throws IOException {
    long first = parametersCrc(ModelKey.random(ModelId.RMC1, 0.01, 7), dir.resolve("a"));
    long again = parametersCrc(ModelKey.random(ModelId.RMC1, 0.01, 7), dir.resolve("b"));
    long otherSeed = parametersCrc(ModelKey.random(ModelId.RMC1, 0.01, 8), dir.resolve("c"));

    assertThat(again).isEqualTo(first);
    assertThat(otherSeed).isNotEqualTo(first);
    assertThat(first).as("the values earlier releases wrote").isEqualTo(RMC1_SEED_7_PARAMETERS_CRC);
  }

  @Test
  void shouldKeepTheTableShapeWhenWritingItInChunks(@TempDir Path dir) {
    ModelKey key = ModelKey.random(ModelId.RMC1, 0.01, 7);
    try (RecModel model = ModelFactory.create(key)) {
      ModelFactory.save(model, dir);
    }
    // The load refuses an embedding parameter whose saved shape is not the spec's.
    try (RecModel loaded = ModelFactory.load(dir, "cpu")) {
      assertThat(loaded.spec().totalRows() * loaded.spec().embeddingDim()).isGreaterThan(2L << 22);
    }
  }

  private static long parametersCrc(ModelKey key, Path dir) throws IOException {
    try (RecModel model = ModelFactory.create(key)) {
      ModelFactory.save(model, dir);
    }
    CRC32 crc = new CRC32();
    crc.update(Files.readAllBytes(dir.resolve(ModelFactory.PARAMETERS_FILE)));
    return crc.getValue();
  }
}

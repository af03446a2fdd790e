package io.deeprec.model;

import java.io.Serializable;

/**
 * Identifies one model instance: same key, same parameters, so a JVM loads it once.
 *
 * @param id which of the eight models; null for an external (TorchScript) model, which {@code
 *     modelDir} then holds
 * @param tableScale factor on every embedding table's row count (1.0 = reference size); other
 *     shapes are kept
 * @param seed seed of the random initialisation (ignored when {@code modelDir} is set)
 * @param modelDir directory of saved parameters (from {@code deeprec train}), or null for seeded
 *     random weights as the reference uses
 * @param lookup how embedding rows are gathered (same parameters and scores either way)
 */
public record ModelKey(ModelId id, double tableScale, long seed, String modelDir, EmbeddingLookup lookup)
    implements Serializable {

  public ModelKey {
    if (id == null && modelDir == null) {
      throw new IllegalArgumentException("model id is required (or the directory of an external model)");
    }
    if (lookup == null) {
      throw new IllegalArgumentException("embedding lookup is required");
    }
    if (!(tableScale > 0 && tableScale <= 1.0)) {
      throw new IllegalArgumentException("table scale must be in (0, 1]: " + tableScale);
    }
  }

  /** A key with the default lookup, one pooled lookup per table as the reference runs them. */
  public ModelKey(ModelId id, double tableScale, long seed, String modelDir) {
    this(id, tableScale, seed, modelDir, EmbeddingLookup.PER_TABLE);
  }

  /** This key with the embedding lookups done as {@code value} says. */
  public ModelKey withLookup(EmbeddingLookup value) {
    return new ModelKey(id, tableScale, seed, modelDir, value);
  }

  /** The external model (a TorchScript module with its manifest) in {@code dir}. */
  public static ModelKey external(String dir) {
    return new ModelKey(null, 1.0, 0, dir, EmbeddingLookup.PER_TABLE);
  }

  /** Whether this key names an external model rather than one of the eight. */
  public boolean external() {
    return id == null;
  }

  public static ModelKey random(ModelId id, double tableScale, long seed) {
    return new ModelKey(id, tableScale, seed, null);
  }
}

package io.deeprec.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.SplittableRandom;

/**
 * Seeded random weights generated in Java, not by the engine's RNG: the same seed gives the same
 * parameters in every JVM, on CPU and GPU alike, with no global RNG state to lock.
 *
 * <ul>
 *   <li>Embedding rows: uniform(-0.05, 0.05), independent of the row count, so a scaled-down model
 *       has the activations (and the numerics) of the full one.
 *   <li>Matrices (out, in): Glorot uniform, limit sqrt(6 / (in + out)), the variance of the DLRM
 *       reference's normal(0, sqrt(2 / (in + out))).
 *   <li>Vectors (biases): uniform(-0.1, 0.1).
 * </ul>
 *
 * <p>Values come in fixed chunks, each from its own stream derived from (seed, parameter index,
 * chunk index), so tables larger than a Java array are filled piecewise with the same result.
 */
public final class WeightInit {
  private static final int CHUNK_FLOATS = 1 << 22;
  private static final float EMBEDDING_LIMIT = 0.05f;
  private static final float BIAS_LIMIT = 0.1f;

  private WeightInit() {}

  /** Overwrites every parameter of the initialised {@code block} with seeded values. */
  public static void fill(Block block, Parameter embedding, long seed) {
    int index = 0;
    for (Pair<String, Parameter> pair : block.getParameters()) {
      Parameter p = pair.getValue();
      NDArray array = p.getArray();
      Shape shape = array.getShape();
      float limit;
      if (p == embedding) {
        limit = EMBEDDING_LIMIT;
      } else if (shape.dimension() >= 2) {
        long out = shape.get(0);
        long in = shape.size() / out;
        limit = (float) Math.sqrt(6.0 / (in + out));
      } else {
        limit = BIAS_LIMIT;
      }
      fillUniform(array, limit, mix(seed ^ mix(0x5EEDL + index)));
      index++;
    }
  }

  private static void fillUniform(NDArray array, float limit, long stream) {
    Shape shape = array.getShape();
    long total = shape.size();
    if (total <= CHUNK_FLOATS) {
      array.set(uniform((int) total, limit, stream, 0));
      return;
    }
    // Large 2-D tables: whole rows per chunk, written in place through a slice.
    long rowWidth = shape.size() / shape.get(0);
    long rowsPerChunk = Math.max(1, CHUNK_FLOATS / rowWidth);
    long rows = shape.get(0);
    int chunk = 0;
    for (long r = 0; r < rows; r += rowsPerChunk, chunk++) {
      long end = Math.min(rows, r + rowsPerChunk);
      float[] values = uniform((int) ((end - r) * rowWidth), limit, stream, chunk);
      try (NDManager scratch = array.getManager().newSubManager()) {
        NDArray part = scratch.create(values, new Shape(end - r, rowWidth)).reshape(shapeOfRows(shape, end - r));
        array.set(new NDIndex("{}:{}", r, end), part);
      }
    }
  }

  private static Shape shapeOfRows(Shape shape, long rows) {
    long[] dims = shape.getShape();
    dims[0] = rows;
    return new Shape(dims);
  }

  private static float[] uniform(int n, float limit, long stream, int chunk) {
    SplittableRandom random = new SplittableRandom(mix(stream + 0x9E3779B97F4A7C15L * (chunk + 1)));
    float[] values = new float[n];
    float width = 2 * limit;
    for (int i = 0; i < n; i++) {
      values[i] = (float) (random.nextDouble() * width - limit);
    }
    return values;
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}

package io.deeprec.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.Pair;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

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
 * <p>Values come in fixed chunks of whole rows, each from its own stream derived from (seed,
 * parameter index, chunk index), so a table larger than a Java array is filled piecewise, in
 * parallel, with the same result. On the host each chunk is written in place into the tensor's
 * memory, which the model allocates without filling it ({@link #UNFILLED}).
 */
public final class WeightInit {
  private static final int CHUNK_FLOATS = 1 << 22;
  private static final float EMBEDDING_LIMIT = 0.05f;
  private static final float BIAS_LIMIT = 0.1f;

  /**
   * Allocates a parameter without writing it: {@link #fill} writes every value, so a zero fill of a
   * multi-gigabyte table first would only double the start-up time.
   */
  public static final Initializer UNFILLED = (manager, shape, dataType) -> manager.create(shape, dataType);

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
    long rows = shape.dimension() == 0 ? 1 : shape.get(0);
    long rowWidth = rows == 0 ? 0 : total / rows;
    if (total <= CHUNK_FLOATS) {
      writeRows(array, 0, rows, 0, limit, stream, total <= CHUNK_FLOATS);
      return;
    }
    long rowsPerChunk = Math.max(1, CHUNK_FLOATS / rowWidth);
    int chunks = Math.toIntExact((rows + rowsPerChunk - 1) / rowsPerChunk);
    // Chunks draw from independent streams, so filling them in parallel gives the same values.
    IntStream.range(0, chunks).parallel().forEach(chunk -> {
      long from = chunk * rowsPerChunk;
      writeRows(array, from, Math.min(rows, from + rowsPerChunk), chunk, limit, stream, false);
    });
  }

  /** Writes chunk {@code chunk}'s values into rows [from, to) of {@code array}. */
  private static void writeRows(
      NDArray array, long from, long to, int chunk, float limit, long stream, boolean whole) {
    Shape shape = array.getShape();
    long rowWidth = shape.dimension() == 0 ? 1 : shape.size() / Math.max(1, shape.get(0));
    int n = Math.toIntExact((to - from) * rowWidth);
    if (array.getDevice().isGpu()) {
      // A device tensor has no host view: copy the values over.
      float[] values = new float[n];
      uniform(FloatBuffer.wrap(values), limit, stream, chunk);
      if (whole) {
        array.set(values);
        return;
      }
      try (NDManager scratch = array.getManager().newSubManager()) {
        NDArray part = scratch.create(values, new Shape(to - from, rowWidth)).reshape(shapeOfRows(shape, to - from));
        array.set(new NDIndex("{}:{}", from, to), part);
      }
      return;
    }
    // On the host, the values go straight into the tensor's memory through a view of its rows:
    // no Java-side copy of a multi-gigabyte table, no second tensor waiting for the collector.
    NDArray rows = whole ? array : array.get(new NDIndex("{}:{}", from, to));
    try {
      ByteBuffer bytes = rows.toByteBuffer(true);
      if (!bytes.isDirect() || bytes.capacity() != (long) n * Float.BYTES) {
        throw new IllegalStateException("no direct view of " + shape + " rows " + from + ":" + to);
      }
      uniform(bytes.asFloatBuffer(), limit, stream, chunk);
    } finally {
      if (rows != array) {
        rows.close();
      }
    }
  }

  private static Shape shapeOfRows(Shape shape, long rows) {
    // Shape.getShape() is the shape's own array (an array caches its Shape): copy before editing.
    long[] dims = shape.getShape().clone();
    dims[0] = rows;
    return new Shape(dims);
  }

  private static void uniform(FloatBuffer out, float limit, long stream, int chunk) {
    SplittableRandom random = new SplittableRandom(mix(stream + 0x9E3779B97F4A7C15L * (chunk + 1)));
    float width = 2 * limit;
    int n = out.remaining();
    for (int i = 0; i < n; i++) {
      out.put((float) (random.nextDouble() * width - limit));
    }
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}

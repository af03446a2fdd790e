package io.deeprec.model;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.deeprec.model.nn.DjlRecModel;
import io.deeprec.model.nn.RecBlock;
import io.deeprec.model.nn.WeightInit;
import io.deeprec.model.torchscript.ModelManifest;
import io.deeprec.model.torchscript.TorchScriptModel;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;

/**
 * Builds the eight models on DJL's PyTorch engine: seeded random weights (what the reference
 * serves, deterministic across runs and JVMs) or parameters saved by {@link #save} (e.g. by
 * {@code deeprec train}).
 *
 * <p>A saved model directory holds {@value #PARAMETERS_FILE} (DJL's block parameter encoding),
 * {@value #SPEC_FILE} (the serialized {@link ModelSpec}, so variants load as they were trained) and
 * {@value #META_FILE} (human-readable summary, written last so that a half-written directory is
 * reported as "no saved model"). DJL encodes each parameter as one byte array, so a model whose
 * fused embedding table exceeds 2 GB cannot be saved: train at a table scale that fits.
 */
public final class ModelFactory {
  public static final String PARAMETERS_FILE = "parameters.bin";
  public static final String SPEC_FILE = "spec.bin";
  public static final String META_FILE = "model.properties";
  private static final String ENGINE = "PyTorch";

  private ModelFactory() {}

  /** The model of {@code key} on the CPU. */
  public static RecModel create(ModelKey key) {
    return create(key, "cpu");
  }

  /**
   * The model of {@code key} on {@code device} ({@code cpu}, {@code gpu} or {@code gpu:N}):
   * the catalogue spec scaled by the key's table scale with seeded weights, or the saved model in
   * the key's directory, which must hold the same model at the same table scale.
   */
  public static RecModel create(ModelKey key, String device) {
    if (key.external()) {
      return TorchScriptModel.load(Path.of(key.modelDir()), device);
    }
    if (key.modelDir() == null) {
      return create(spec(key), key.seed(), device);
    }
    Path dir = Path.of(key.modelDir());
    ModelSpec saved = savedSpec(dir);
    if (saved.id() != key.id()) {
      throw new IllegalArgumentException(
          "model dir " + dir + " holds " + saved.id() + " parameters, asked for " + key.id());
    }
    if (Math.abs(saved.tableScale() - key.tableScale()) > 1e-9 * key.tableScale()) {
      throw new IllegalArgumentException("model dir " + dir + " holds " + saved.id() + " at table scale "
          + saved.tableScale() + ", asked for table scale " + key.tableScale());
    }
    return load(dir, device, key.lookup());
  }

  /**
   * The spec of {@code key}'s model without loading it: the catalogue's at the key's table scale,
   * or an external model's inputs as its manifest declares them.
   */
  public static ModelSpec spec(ModelKey key) {
    if (key.external()) {
      return ModelManifest.read(Path.of(key.modelDir())).spec();
    }
    return ModelCatalog.spec(key.id()).withTableScale(key.tableScale()).withEmbeddingLookup(key.lookup());
  }

  /** A model of any spec (variants: dot interaction, GRU, more heads) with seeded random weights. */
  public static RecModel create(ModelSpec spec, long seed, String device) {
    Device dev = parseDevice(device);
    checkFits(spec, dev);
    Model model = Model.newInstance(spec.id().cliName(), dev, ENGINE);
    try {
      RecBlock block = RecBlock.forSpec(spec);
      block.setInitializer(WeightInit.UNFILLED, p -> true);
      block.initialize(model.getNDManager(), DataType.FLOAT32, block.inputShapes(1));
      model.setBlock(block);
      // Frozen first: on a thread with PyTorch's grad mode on (any but the engine loader's), an
      // in-place write into a leaf that requires grad fails.
      block.freezeParameters(true);
      WeightInit.fill(block, block.embeddingParameter(), seed);
      return new DjlRecModel(spec, model, block, deviceName(dev));
    } catch (RuntimeException | Error e) {
      model.close();
      throw e;
    }
  }

  /** Host memory holds the tables of a model on the CPU; a GPU's memory is the engine's to refuse. */
  private static void checkFits(ModelSpec spec, Device device) {
    if (!device.isGpu()) {
      HostMemory.checkTablesFit(spec);
    }
  }

  /** Loads the model saved in {@code dir}, whatever it is, with its saved embedding lookup. */
  public static RecModel load(Path dir, String device) {
    return load(dir, device, savedSpec(dir).embeddingLookup());
  }

  /** Loads the model saved in {@code dir}, gathering its embeddings as {@code lookup} says. */
  public static RecModel load(Path dir, String device, EmbeddingLookup lookup) {
    ModelSpec spec = savedSpec(dir).withEmbeddingLookup(lookup);
    Device dev = parseDevice(device);
    checkFits(spec, dev);
    Model model = Model.newInstance(spec.id().cliName(), dev, ENGINE);
    try {
      RecBlock block = RecBlock.forSpec(spec);
      try (DataInputStream in = new DataInputStream(
          new BufferedInputStream(Files.newInputStream(dir.resolve(PARAMETERS_FILE)), 1 << 20))) {
        block.loadParameters(model.getNDManager(), in);
      } catch (MalformedModelException e) {
        throw new IllegalArgumentException("model dir " + dir + ": parameters do not match its "
            + spec.id() + " spec (" + e.getMessage() + ")", e);
      } catch (IOException e) {
        throw new UncheckedIOException("model dir " + dir + ": cannot read " + PARAMETERS_FILE, e);
      }
      Shape want = new Shape(spec.totalRows(), spec.embeddingDim());
      Shape got = block.embeddingParameter().getArray().getShape();
      if (!want.equals(got)) {
        throw new IllegalArgumentException("model dir " + dir + ": embedding parameter is " + got
            + ", its " + spec.id() + " spec needs " + want);
      }
      model.setBlock(block);
      block.freezeParameters(true);
      return new DjlRecModel(spec, model, block, deviceName(dev));
    } catch (RuntimeException | Error e) {
      model.close();
      throw e;
    }
  }

  /** The spec saved in {@code dir}; a clear error when there is no saved model. */
  public static ModelSpec savedSpec(Path dir) {
    if (!Files.isRegularFile(dir.resolve(META_FILE)) || !Files.isRegularFile(dir.resolve(SPEC_FILE))
        || !Files.isRegularFile(dir.resolve(PARAMETERS_FILE))) {
      throw new IllegalArgumentException("no saved model in " + dir + " (expected " + META_FILE + ", "
          + SPEC_FILE + " and " + PARAMETERS_FILE + ", as written by deeprec train)");
    }
    try (ObjectInputStream in = new ObjectInputStream(Files.newInputStream(dir.resolve(SPEC_FILE)))) {
      return (ModelSpec) in.readObject();
    } catch (IOException | ClassNotFoundException | ClassCastException e) {
      throw new IllegalArgumentException("model dir " + dir + ": unreadable " + SPEC_FILE + " (" + e + ")", e);
    }
  }

  /** Saves {@code model}'s parameters and spec into {@code dir} (created if needed). */
  public static void save(RecModel model, Path dir) {
    if (!(model instanceof DjlRecModel djl)) {
      throw new IllegalArgumentException("cannot save a " + model.getClass().getName());
    }
    try {
      Files.createDirectories(dir);
      Files.deleteIfExists(dir.resolve(META_FILE));
      try (DataOutputStream out = new DataOutputStream(
          new BufferedOutputStream(Files.newOutputStream(dir.resolve(PARAMETERS_FILE)), 1 << 20))) {
        djl.block().saveParameters(out);
      }
      try (ObjectOutputStream out = new ObjectOutputStream(Files.newOutputStream(dir.resolve(SPEC_FILE)))) {
        out.writeObject(model.spec());
      }
      Properties meta = new Properties();
      meta.setProperty("model", model.spec().id().cliName());
      meta.setProperty("table.scale", Double.toString(model.spec().tableScale()));
      meta.setProperty("spec", model.spec().describe());
      meta.setProperty("embedding.bytes", Long.toString(model.spec().embeddingBytes()));
      meta.setProperty("format", "1");
      try (OutputStream out = Files.newOutputStream(dir.resolve(META_FILE))) {
        meta.store(out, "DeepRec-Flink saved model");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save " + model.spec().id() + " to " + dir, e);
    }
  }

  /** The summary written next to a saved model, for display. */
  public static Properties savedMetadata(Path dir) {
    Properties meta = new Properties();
    try (InputStream in = Files.newInputStream(dir.resolve(META_FILE))) {
      meta.load(in);
    } catch (IOException e) {
      throw new IllegalArgumentException("no saved model in " + dir, e);
    }
    return meta;
  }

  /** {@code cpu}, {@code gpu} (= gpu:0) or {@code gpu:N}; a GPU must be visible to PyTorch. */
  public static Device parseDevice(String device) {
    String name = device == null ? "cpu" : device.trim().toLowerCase(Locale.ROOT);
    if (name.equals("cpu")) {
      return Device.cpu();
    }
    int id;
    if (name.equals("gpu")) {
      id = 0;
    } else if (name.startsWith("gpu:")) {
      try {
        id = Integer.parseInt(name.substring(4));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad device '" + device + "', expected cpu, gpu or gpu:N");
      }
    } else {
      throw new IllegalArgumentException("bad device '" + device + "', expected cpu, gpu or gpu:N");
    }
    int gpus = Engine.getEngine(ENGINE).getGpuCount();
    if (id < 0 || id >= gpus) {
      throw new IllegalArgumentException("device " + name + " not available: PyTorch sees " + gpus
          + " GPU(s)" + (gpus == 0 ? " (CPU-only libtorch or no CUDA device)" : ""));
    }
    return Device.gpu(id);
  }

  private static String deviceName(Device device) {
    return device.isGpu() ? "gpu:" + device.getDeviceId() : "cpu";
  }
}

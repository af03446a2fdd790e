package io.deeprec.model.torchscript;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.pytorch.engine.PtSymbolBlock;
import io.deeprec.model.FeatureBatch;
import io.deeprec.model.ModelFactory;
import io.deeprec.model.ModelSpec;
import io.deeprec.model.nn.OwnedDjlModel;
import io.deeprec.model.TableSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An external model: a TorchScript module ({@value ModelManifest#MODULE_FILE}) served through DJL's
 * PyTorch engine as its manifest ({@value ModelManifest#FILE}) describes it. Loading checks the
 * manifest against the module (its forward's argument names, then one probe batch that looks up
 * every table's last declared row, then the output's shape), so a mismatch stops the start with the
 * input named instead of failing at the first query. Shared by every slot of a JVM like the
 * built-in models; one {@link TorchScriptScorer} per worker thread.
 */
public final class TorchScriptModel extends OwnedDjlModel<TorchScriptScorer> {
  private static final Logger LOG = LoggerFactory.getLogger(TorchScriptModel.class);
  private static final String ENGINE = "PyTorch";
  private static final int PROBE_ITEMS = 2;
  private static final String HERE = "<--- HERE";

  private final ModelManifest manifest;
  private final ModelSpec spec;
  /** For each argument of the module's forward, in its order: -1 for dense, else the spec's table index. */
  private final int[] argumentInputs;

  private TorchScriptModel(ModelManifest manifest, Model model, String device, int[] argumentInputs) {
    super(manifest.spec(), model, device);
    this.manifest = manifest;
    this.spec = spec();
    this.argumentInputs = argumentInputs;
  }

  /** Loads and checks the external model in {@code dir} on {@code device} (cpu, gpu or gpu:N). */
  public static TorchScriptModel load(Path dir, String device) {
    ModelManifest manifest = ModelManifest.read(dir);
    Path module = dir.resolve(ModelManifest.MODULE_FILE);
    if (!Files.isRegularFile(module)) {
      throw new IllegalArgumentException("model dir " + dir + ": no " + ModelManifest.MODULE_FILE + " beside "
          + ModelManifest.FILE);
    }
    Device dev = ModelFactory.parseDevice(device);
    Model model = Model.newInstance(manifest.name(), dev, ENGINE);
    try {
      try {
        model.load(dir, "model");
      } catch (IOException | MalformedModelException | RuntimeException e) {
        throw new IllegalArgumentException("model dir " + dir + ": " + ModelManifest.MODULE_FILE
            + " is not a loadable TorchScript module (" + firstLine(e) + ")", e);
      }
      Block block = model.getBlock();
      if (!(block instanceof PtSymbolBlock)) {
        throw new IllegalArgumentException("model dir " + dir + ": " + ModelManifest.MODULE_FILE
            + " did not load as a TorchScript module");
      }
      int[] arguments = matchArguments(dir, manifest, argumentNames(module, manifest));
      TorchScriptModel loaded = new TorchScriptModel(manifest, model, device(dev), arguments);
      loaded.probe(dir);
      return loaded;
    } catch (RuntimeException | Error e) {
      model.close();
      throw e;
    }
  }

  /** The forward's argument names, or the manifest's order when the file does not show them. */
  private static List<String> argumentNames(Path module, ModelManifest manifest) {
    return TorchScriptArchive.forwardArguments(module).orElseGet(() -> {
      LOG.warn("{}: cannot read the forward's argument names from {}; passing the inputs in the manifest's order {}",
          manifest.name(), module, manifest.inputNames());
      return manifest.inputNames();
    });
  }

  /** Maps the forward's arguments to manifest inputs by name; refuses any name on one side only. */
  static int[] matchArguments(Path dir, ModelManifest manifest, List<String> arguments) {
    List<String> declared = manifest.inputNames();
    for (String name : declared) {
      if (!arguments.contains(name)) {
        throw new IllegalArgumentException("model dir " + dir + ": input '" + name + "' of " + ModelManifest.FILE
            + " is not an argument of the module's forward (it takes " + arguments + ")");
      }
    }
    int[] inputs = new int[arguments.size()];
    for (int a = 0; a < arguments.size(); a++) {
      String name = arguments.get(a);
      if (!declared.contains(name)) {
        throw new IllegalArgumentException("model dir " + dir + ": the module's forward takes '" + name
            + "', which " + ModelManifest.FILE + " does not declare (it declares " + declared
            + (name.equals(ModelManifest.DENSE_INPUT) ? ", dense 0" : "; a missing table or sequence?") + ")");
      }
      inputs[a] = name.equals(ModelManifest.DENSE_INPUT) ? -1 : tableIndex(manifest, name);
    }
    return inputs;
  }

  private static int tableIndex(ModelManifest manifest, String name) {
    for (int t = 0; t < manifest.inputs().size(); t++) {
      if (manifest.inputs().get(t).name().equals(name)) {
        return t;
      }
    }
    throw new IllegalStateException("no input " + name);
  }

  /**
   * Runs one batch shaped as the manifest says, whose first item looks up every table's last
   * declared row; a failure is traced to the input that causes it where the probes can tell.
   */
  private void probe(Path dir) {
    try (TorchScriptScorer scorer = newScorer()) {
      try {
        scorer.score(probeBatch(-2));
      } catch (OutputShapeException e) {
        throw new IllegalArgumentException("model dir " + dir + ": " + e.getMessage(), e);
      } catch (RuntimeException e) {
        // traced below
      }
      FeatureBatch lastRows = probeBatch(-1);
      String failure = tryScore(scorer, lastRows);
      if (failure == null) {
        return;
      }
      if (tryScore(scorer, probeBatch(-2)) == null) {
        // Row 0 everywhere works: some table is smaller in the module than the manifest says.
        for (int t = 0; t < spec.tables().size(); t++) {
          String tableFailure = tryScore(scorer, probeBatch(t));
          if (tableFailure != null) {
            TableSpec table = spec.tables().get(t);
            throw new IllegalArgumentException("model dir " + dir + ": input '" + table.name() + "' declares "
                + table.rows() + " rows, but the module cannot look up row " + (table.rows() - 1) + " ("
                + errorLine(tableFailure) + ")");
          }
        }
      }
      throw new IllegalArgumentException("model dir " + dir + ": the module rejects a batch shaped as "
          + ModelManifest.FILE + " declares it" + suspects(failure) + " (" + describeInputs() + "): "
          + errorLine(failure));
    }
  }

  /**
   * The manifest inputs named on the source line where the module failed: TorchScript's traceback
   * quotes the root module's failing line first, marked by {@value #HERE} on the line below it.
   */
  private String suspects(String failure) {
    String[] lines = failure.split("\n");
    for (int i = 1; i < lines.length; i++) {
      if (lines[i].contains(HERE)) {
        List<String> named = new ArrayList<>();
        for (String name : manifest.inputNames()) {
          if (Pattern.compile("\\b" + Pattern.quote(name) + "\\b").matcher(lines[i - 1]).find()) {
            named.add("'" + name + "'");
          }
        }
        return named.isEmpty() ? "" : " at input " + String.join(", ", named);
      }
    }
    return "";
  }

  /** The engine's error without its traceback: the last line, e.g. {@code RuntimeError: mat1 and mat2 ...}. */
  private static String errorLine(String failure) {
    String[] lines = failure.strip().split("\n");
    return lines[lines.length - 1].strip();
  }

  private String describeInputs() {
    List<String> parts = new ArrayList<>();
    if (spec.denseDim() > 0) {
      parts.add("dense: " + spec.denseDim() + " features per item");
    }
    for (TableSpec t : spec.tables()) {
      parts.add(t.name() + ": " + t.lookups() + " ids per item in [0, " + t.rows() + ")");
    }
    return String.join("; ", parts);
  }

  /** Null when the batch scores, else the engine's message. */
  private static String tryScore(TorchScriptScorer scorer, FeatureBatch batch) {
    try {
      scorer.score(batch);
      return null;
    } catch (RuntimeException e) {
      return message(e);
    }
  }

  /**
   * A probe batch: dense in [0, 1); row 0 everywhere, except that the first item looks up the last
   * row of every table ({@code lastRowsOf} -1), of none (-2) or of table {@code lastRowsOf} only.
   */
  private FeatureBatch probeBatch(int lastRowsOf) {
    SplittableRandom random = new SplittableRandom(1);
    float[] dense = new float[PROBE_ITEMS * spec.denseDim()];
    for (int i = 0; i < dense.length; i++) {
      dense[i] = (float) random.nextDouble();
    }
    int perItem = spec.sparseIdsPerItem();
    int[] sparse = new int[PROBE_ITEMS * perItem];
    for (int t = 0; t < spec.tables().size(); t++) {
      if (lastRowsOf == -1 || lastRowsOf == t) {
        TableSpec table = spec.tables().get(t);
        Arrays.fill(sparse, spec.sparseOffset(t), spec.sparseOffset(t) + table.lookups(), table.rows() - 1);
      }
    }
    return new FeatureBatch(PROBE_ITEMS, dense, sparse);
  }

  public ModelManifest manifest() {
    return manifest;
  }

  @Override
  public String version() {
    return manifest.version();
  }

  int[] argumentInputs() {
    return argumentInputs;
  }

  @Override
  protected TorchScriptScorer createScorer() {
    return new TorchScriptScorer(this);
  }

  /** A module that ran but did not return one float32 per item. */
  static final class OutputShapeException extends IllegalStateException {
    OutputShapeException(String message) {
      super(message);
    }
  }

  /** The output check shared by the probe and every request: one float32 per item. */
  static void checkOutput(String model, NDList out, int items) {
    if (out.size() != 1) {
      throw new OutputShapeException(model + ": output: the module returned " + out.size()
          + " tensors, expected one score per item ([items] or [items, 1])");
    }
    Shape shape = out.get(0).getShape();
    DataType type = out.get(0).getDataType();
    boolean perItem = shape.equals(new Shape(items)) || shape.equals(new Shape(items, 1));
    if (!perItem || type != DataType.FLOAT32) {
      throw new OutputShapeException(model + ": output: the module returned " + type.toString().toLowerCase(Locale.ROOT)
          + " " + shape + " for " + items + " items, expected one float32 score per item ([items] or [items, 1])");
    }
  }

  private static String device(Device device) {
    return device.isGpu() ? "gpu:" + device.getDeviceId() : "cpu";
  }

  private static String message(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    String text = cause.getMessage() != null ? cause.getMessage() : e.getMessage();
    return text == null ? e.toString() : text.strip();
  }

  private static String firstLine(Throwable e) {
    String text = message(e);
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }
}

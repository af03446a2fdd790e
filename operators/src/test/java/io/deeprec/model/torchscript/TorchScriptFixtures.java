package io.deeprec.model.torchscript;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deeprec.model.FeatureBatch;
import io.deeprec.model.ModelSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The TorchScript fixtures that {@code src/test/python/make-fixtures.sh} wrote with PyTorch
 * (committed under {@code src/test/resources/torchscript/}), read from the classpath so that other
 * modules' tests can use them: {@code tiny-dlrm} (version 1), {@code tiny-dlrm-v2} (other weights,
 * version 2) and {@code two-scores} (a module that returns two numbers per item).
 */
public final class TorchScriptFixtures {
  private static final List<String> FILES = List.of(ModelManifest.MODULE_FILE, ModelManifest.FILE, "golden.json");

  private TorchScriptFixtures() {}

  /** Copies fixture {@code name} into {@code parent}/{@code name}, a directory a model loads from. */
  public static Path copy(String name, Path parent) {
    Path dir = parent.resolve(name);
    try {
      Files.createDirectories(dir);
      for (String file : FILES) {
        try (InputStream in = TorchScriptFixtures.class.getResourceAsStream("/torchscript/" + name + "/" + file)) {
          if (in == null) {
            throw new IllegalArgumentException("no fixture file torchscript/" + name + "/" + file + " on the classpath");
          }
          Files.copy(in, dir.resolve(file));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }

  /** PyTorch's inputs and scores for a fixture, as export_tiny_dlrm.py wrote them. */
  public record Golden(JsonNode inputs, float[] scores, int items) {

    /** Reads {@code golden.json} in a fixture directory. */
    public static Golden read(Path dir) {
      try {
        JsonNode root = new ObjectMapper().readTree(dir.resolve("golden.json").toFile());
        float[] scores = new float[root.get("scores").size()];
        for (int i = 0; i < scores.length; i++) {
          scores[i] = (float) root.get("scores").get(i).asDouble();
        }
        return new Golden(root.get("inputs"), scores, root.get("items").asInt());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** Items {@code from} (inclusive) to {@code to} as a batch laid out as the spec says (tables, then sequences). */
    public FeatureBatch batch(ModelSpec spec, int from, int to) {
      int n = to - from;
      float[] dense = new float[n * spec.denseDim()];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < spec.denseDim(); j++) {
          dense[i * spec.denseDim() + j] = (float) inputs.get("dense").get(from + i).get(j).asDouble();
        }
      }
      int perItem = spec.sparseIdsPerItem();
      int[] sparse = new int[n * perItem];
      for (int t = 0; t < spec.tables().size(); t++) {
        JsonNode ids = inputs.get(spec.tables().get(t).name());
        for (int i = 0; i < n; i++) {
          for (int j = 0; j < spec.tables().get(t).lookups(); j++) {
            sparse[i * perItem + spec.sparseOffset(t) + j] = ids.get(from + i).get(j).asInt();
          }
        }
      }
      return new FeatureBatch(n, dense, sparse);
    }

    /** Every item as one batch. */
    public FeatureBatch batch(ModelSpec spec) {
      return batch(spec, 0, items);
    }
  }
}

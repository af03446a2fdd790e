package io.deeprec.model.torchscript;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deeprec.model.ModelSpec;
import io.deeprec.model.TableSpec;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The manifest of an external model directory ({@value #FILE} beside {@value #MODULE_FILE}): what
 * the TorchScript module takes and returns, in the feature terms the built-in models use. Plain
 * Java, no DJL. Example:
 *
 * <pre>{@code
 * {"name": "tiny-dlrm", "version": "3", "p95TargetMs": 50, "dense": 13,
 *  "tables": [{"name": "user", "rows": 1000, "idsPerItem": 2, "side": "user"}, ...],
 *  "sequences": [{"name": "clicks", "rows": 5000, "length": 8, "side": "user"}],
 *  "output": "score"}
 * }</pre>
 *
 * <p>The module's {@code forward} takes one argument per input, matched by name: {@code dense}
 * (float32 [items, dense]; absent when dense is 0), then an int64 [items, idsPerItem] tensor per
 * table (ids to pool) and an int64 [items, length] tensor per sequence (oldest first). It returns
 * one float32 per item ([items] or [items, 1]): a score served as is ({@code "score"}) or a logit
 * served through a sigmoid ({@code "logit"}). In a query's explicit features and in the feature
 * store, the ids are laid out tables first, then sequences, each in manifest order.
 *
 * @param name the model's name (what queries name; must be what the job serves it as)
 * @param version the version of these weights, carried by every result they score
 * @param p95TargetMs the p95 latency target at the medium tier
 * @param dense dense features per item (0 for none)
 * @param inputs the tables then the sequences, as {@link TableSpec}s (widths are the module's: 1)
 * @param output how the module's output becomes a score
 */
public record ModelManifest(String name, String version, double p95TargetMs, int dense, List<TableSpec> inputs,
    Output output) implements Serializable {

  public static final String FILE = "deeprec-model.json";
  public static final String MODULE_FILE = "model.pt";
  /** The name of the module's dense-feature argument. */
  public static final String DENSE_INPUT = "dense";

  /** What the module returns per item. */
  public enum Output {
    /** A score served as returned (e.g. a probability: the module ends in its own sigmoid). */
    SCORE,
    /** A logit: served as its sigmoid, a probability in [0, 1]. */
    LOGIT
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  public ModelManifest {
    inputs = List.copyOf(inputs);
  }

  /** Whether {@code dir} holds a manifest (an external model rather than a saved built-in one). */
  public static boolean isExternalModelDir(Path dir) {
    return Files.isRegularFile(dir.resolve(FILE));
  }

  /** Reads and checks {@code dir}'s manifest; the error names the file and the field. */
  public static ModelManifest read(Path dir) {
    Path file = dir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("model dir " + dir + ": no " + FILE);
    }
    try {
      return parse(Files.readString(file), file.toString());
    } catch (IOException e) {
      throw new IllegalArgumentException("model dir " + dir + ": cannot read " + FILE + " (" + e.getMessage() + ")", e);
    }
  }

  /** Reads {@code dir}'s manifest, which must declare {@code served}: the name a job serves it under. */
  public static ModelManifest readServedAs(Path dir, String served) {
    ModelManifest manifest = read(dir);
    if (!manifest.name().equals(served)) {
      throw new IllegalArgumentException(dir + " holds model '" + manifest.name() + "' (its " + FILE
          + "), asked to serve it as '" + served + "'");
    }
    return manifest;
  }

  /** Parses a manifest's JSON; {@code source} names it in errors. */
  public static ModelManifest parse(String json, String source) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(source + ": not valid JSON (" + e.getOriginalMessage() + ")", e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(source + ": expected a JSON object");
    }
    Fields top = new Fields(root, source);
    String name = top.text("name");
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
      throw new IllegalArgumentException(source + ": name '" + name + "' must be letters, digits, '.', '_' or '-'");
    }
    String version = top.text("version");
    double target = top.positiveNumber("p95TargetMs");
    int dense = top.count("dense", 0);
    List<TableSpec> inputs = new ArrayList<>();
    Set<String> names = new HashSet<>(Set.of(DENSE_INPUT));
    for (JsonNode table : top.array("tables", true)) {
      inputs.add(input(new Fields(table, source + ": table " + table.path("name").asText("?")), "idsPerItem",
          TableSpec.Pooling.SUM, names));
    }
    for (JsonNode sequence : top.array("sequences", false)) {
      inputs.add(input(new Fields(sequence, source + ": sequence " + sequence.path("name").asText("?")), "length",
          TableSpec.Pooling.SEQUENCE, names));
    }
    Output output = top.choice("output", Output.class);
    top.refuseUnknown(Set.of("name", "version", "p95TargetMs", "dense", "tables", "sequences", "output"));
    return new ModelManifest(name, version, target, dense, inputs, output);
  }

  private static TableSpec input(Fields f, String idsField, TableSpec.Pooling pooling, Set<String> names) {
    String name = f.text("name");
    if (!names.add(name)) {
      throw new IllegalArgumentException(f.source + ": the name is taken (every input needs its own; 'dense' is reserved)");
    }
    int rows = f.count("rows", 1);
    int ids = f.count(idsField, 1);
    TableSpec.Side side = f.has("side") ? f.choice("side", TableSpec.Side.class) : TableSpec.Side.ITEM;
    f.refuseUnknown(Set.of("name", "rows", idsField, "side"));
    return new TableSpec(name, rows, 1, ids, side, pooling);
  }

  /** The inputs as a spec: what the feature store, validation and batching need to know. */
  public ModelSpec spec() {
    return ModelSpec.external(name).tables(inputs).denseDim(dense).mediumTargetMs(p95TargetMs).build();
  }

  /** Names of the inputs the module's forward must take, in manifest order. */
  public List<String> inputNames() {
    List<String> names = new ArrayList<>();
    if (dense > 0) {
      names.add(DENSE_INPUT);
    }
    inputs.forEach(t -> names.add(t.name()));
    return names;
  }

  /** One JSON object's fields, read with errors that name the field. */
  private static final class Fields {
    final JsonNode node;
    final String source;

    Fields(JsonNode node, String source) {
      if (!node.isObject()) {
        throw new IllegalArgumentException(source + ": expected a JSON object, got " + node);
      }
      this.node = node;
      this.source = source;
    }

    boolean has(String field) {
      return node.hasNonNull(field);
    }

    JsonNode required(String field) {
      if (!has(field)) {
        throw new IllegalArgumentException(source + ": '" + field + "' is required");
      }
      return node.get(field);
    }

    String text(String field) {
      JsonNode value = required(field);
      if (!value.isTextual() && !value.isNumber() || value.asText().isBlank()) {
        throw new IllegalArgumentException(source + ": '" + field + "' must be a non-empty string, got " + value);
      }
      return value.asText();
    }

    double positiveNumber(String field) {
      JsonNode value = required(field);
      if (!value.isNumber() || !(value.asDouble() > 0)) {
        throw new IllegalArgumentException(source + ": '" + field + "' must be a number > 0, got " + value);
      }
      return value.asDouble();
    }

    int count(String field, int min) {
      JsonNode value = required(field);
      if (!value.isIntegralNumber() || !value.canConvertToInt() || value.asInt() < min) {
        throw new IllegalArgumentException(source + ": '" + field + "' must be an integer >= " + min + ", got " + value);
      }
      return value.asInt();
    }

    List<JsonNode> array(String field, boolean required) {
      if (!has(field) && !required) {
        return List.of();
      }
      JsonNode value = required(field);
      if (!value.isArray() || (required && value.isEmpty())) {
        throw new IllegalArgumentException(source + ": '" + field + "' must be a" + (required ? " non-empty" : "n")
            + " array, got " + value);
      }
      List<JsonNode> items = new ArrayList<>();
      value.forEach(items::add);
      return items;
    }

    <E extends Enum<E>> E choice(String field, Class<E> type) {
      String value = text(field);
      for (E e : type.getEnumConstants()) {
        if (e.name().equalsIgnoreCase(value)) {
          return e;
        }
      }
      List<String> allowed = new ArrayList<>();
      for (E e : type.getEnumConstants()) {
        allowed.add(e.name().toLowerCase(Locale.ROOT));
      }
      throw new IllegalArgumentException(source + ": '" + field + "' must be one of " + allowed + ", got '" + value + "'");
    }

    void refuseUnknown(Set<String> known) {
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        String field = it.next();
        if (!known.contains(field)) {
          throw new IllegalArgumentException(source + ": unknown field '" + field + "' (known: " + known + ")");
        }
      }
    }
  }
}

package io.deeprec.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/**
 * A generated record that uses another record or enum embeds a copy of its schema, and the Avro
 * writer walks that copy by field position: a stale copy (an incremental build that regenerated
 * ControlDecision but not ControlRecord) writes one field's value into another's slot and fails at
 * run time. Every copy must equal the schema of the class it names.
 */
class EmbeddedSchemasTest {

  @Test
  void everyEmbeddedSchemaEqualsTheSchemaOfTheClassItNames() throws Exception {
    List<Class<?>> records = generatedRecords();
    assertThat(records).extracting(Class::getSimpleName)
        .contains("ControlRecord", "ControlDecision", "RecQuery", "RecResult", "MetricsSnapshot");

    Map<String, Schema> embedded = new LinkedHashMap<>();
    for (Class<?> record : records) {
      collectNested(SpecificData.get().getSchema(record), embedded, true);
    }
    assertThat(embedded).isNotEmpty();
    for (Map.Entry<String, Schema> copy : embedded.entrySet()) {
      Class<?> named = Class.forName(copy.getKey());
      assertThat(copy.getValue())
          .as("the copy of %s embedded in another generated record", copy.getKey())
          .isEqualTo(SpecificData.get().getSchema(named));
    }
  }

  /** The named types used inside {@code schema} (not {@code schema} itself when {@code top}), by full name. */
  private static void collectNested(Schema schema, Map<String, Schema> found, boolean top) {
    switch (schema.getType()) {
      case RECORD -> {
        if (!top && found.putIfAbsent(schema.getFullName(), schema) != null) {
          return;
        }
        schema.getFields().forEach(field -> collectNested(field.schema(), found, false));
      }
      case ENUM, FIXED -> {
        if (!top) {
          found.putIfAbsent(schema.getFullName(), schema);
        }
      }
      case UNION -> schema.getTypes().forEach(branch -> collectNested(branch, found, false));
      case ARRAY -> collectNested(schema.getElementType(), found, false);
      case MAP -> collectNested(schema.getValueType(), found, false);
      default -> { }
    }
  }

  /** Every generated record class of this module, found among its compiled classes. */
  private static List<Class<?>> generatedRecords() throws IOException, URISyntaxException, ClassNotFoundException {
    Path classes = Path.of(RecQuery.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<Class<?>> records = new ArrayList<>();
    try (Stream<Path> files = Files.walk(classes)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".class") && !f.toString().contains("$")).toList()) {
        String name = classes.relativize(file).toString().replace(file.getFileSystem().getSeparator(), ".");
        Class<?> type = Class.forName(name.substring(0, name.length() - ".class".length()));
        if (SpecificRecord.class.isAssignableFrom(type)) {
          records.add(type);
        }
      }
    }
    return records;
  }
}

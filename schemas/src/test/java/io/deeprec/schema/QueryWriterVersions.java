package io.deeprec.schema;

import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;

/**
 * Other versions of {@link RecQuery}, as producers on another release would write them: a newer
 * one that adds a field, an older one that lacks the optional deadline, and an incompatible one
 * (the user id a string). Shared by the codec tests and the schema-evolution ITCase.
 */
public final class QueryWriterVersions {
  private QueryWriterVersions() {}

  /** The job's RecQuery plus {@code locale} (a string with a default). */
  public static Schema newer() {
    return edit("\"fields\":[", "\"fields\":[{\"name\":\"locale\",\"type\":\"string\",\"default\":\"en\"},");
  }

  /** The job's RecQuery without {@code deadlineMs} (optional, default null). */
  public static Schema older() {
    Schema current = RecQuery.getClassSchema();
    List<Schema.Field> fields = current.getFields().stream()
        .filter(f -> !f.name().equals("deadlineMs"))
        .map(f -> new Schema.Field(f, f.schema()))
        .toList();
    return Schema.createRecord(current.getName(), current.getDoc(), current.getNamespace(), false, fields);
  }

  /** The job's RecQuery with {@code userId} a string: no reader can resolve it. */
  public static Schema incompatible() {
    return edit("{\"name\":\"userId\",\"type\":\"long\"}", "{\"name\":\"userId\",\"type\":\"string\"}");
  }

  /** {@code query} written with {@code writer}, single-object encoded as that producer would. */
  public static byte[] encode(Schema writer, RecQuery query) {
    GenericRecord record = new GenericData.Record(writer);
    for (Schema.Field field : writer.getFields()) {
      Schema.Field known = RecQuery.getClassSchema().getField(field.name());
      Object value = known == null ? field.defaultVal() : query.get(known.pos());
      if (field.name().equals("userId") && field.schema().getType() == Schema.Type.STRING) {
        value = Long.toString(query.getUserId());
      }
      record.put(field.name(), value);
    }
    try {
      java.nio.ByteBuffer buffer = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), writer).encode(record);
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Schema edit(String from, String to) {
    String json = RecQuery.getClassSchema().toString();
    if (!json.contains(from)) {
      throw new IllegalStateException("RecQuery's schema has no " + from);
    }
    int at = json.indexOf(from); // the first: RecQuery's own, not a nested record's
    return new Schema.Parser().parse(json.substring(0, at) + to + json.substring(at + from.length()));
  }
}

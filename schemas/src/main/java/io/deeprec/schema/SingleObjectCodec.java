package io.deeprec.schema;

import io.deeprec.schema.internal.InferenceRequest;
import io.deeprec.schema.internal.PartialResult;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.SystemLimitException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro single-object encoding (2-byte marker, 8-byte CRC-64-AVRO schema fingerprint, binary body)
 * for one record type. A consumer that receives bytes written with another schema gets a {@link
 * SchemaMismatchException} naming the fingerprint, never a silently misread record. No schema
 * registry is needed. Instances are thread-safe (Avro keeps per-thread buffers).
 */
public final class SingleObjectCodec<T extends SpecificRecord> {

  /**
   * Largest array (items), bytes field and string a record may claim. Avro's own default is about
   * 2^31, so a corrupt or hostile length prefix in a few bytes would make the decoder allocate
   * gigabytes and take the TaskManager down. The largest legitimate array is a query's explicit
   * sparse ids: 1,024 candidates x 3,840 ids (rmc2) = 3.9M.
   */
  public static final int MAX_COLLECTION_ITEMS = 4 * 1024 * 1024;
  public static final int MAX_BYTES_LENGTH = 64 * 1024 * 1024;
  public static final int MAX_STRING_LENGTH = 1024 * 1024;

  static {
    limitAvroAllocations();
  }

  public static final SingleObjectCodec<RecQuery> QUERY = of(RecQuery.class, RecQuery.getClassSchema());
  public static final SingleObjectCodec<RecResult> RESULT = of(RecResult.class, RecResult.getClassSchema());
  public static final SingleObjectCodec<MetricsSnapshot> METRICS =
      of(MetricsSnapshot.class, MetricsSnapshot.getClassSchema());
  public static final SingleObjectCodec<DeadLetter> DEAD_LETTER =
      of(DeadLetter.class, DeadLetter.getClassSchema());
  public static final SingleObjectCodec<ControlDecision> CONTROL =
      of(ControlDecision.class, ControlDecision.getClassSchema());
  public static final SingleObjectCodec<ModelRollout> ROLLOUT =
      of(ModelRollout.class, ModelRollout.getClassSchema());
  public static final SingleObjectCodec<InferenceRequest> REQUEST =
      of(InferenceRequest.class, InferenceRequest.getClassSchema());
  public static final SingleObjectCodec<PartialResult> PARTIAL =
      of(PartialResult.class, PartialResult.getClassSchema());

  private final Class<T> type;
  private final Schema schema;
  private final long fingerprint;
  private final BinaryMessageEncoder<T> encoder;
  private final BinaryMessageDecoder<T> decoder;
  /** Writer schemas known to be incompatible with this reader, by fingerprint: why. */
  private final Map<Long, String> incompatible = new HashMap<>();
  private final List<Long> compatibleWriters = new ArrayList<>();

  private SingleObjectCodec(Class<T> type, Schema schema) {
    this.type = type;
    this.schema = schema;
    this.fingerprint = SchemaNormalization.parsingFingerprint64(schema);
    this.encoder = new BinaryMessageEncoder<>(SpecificData.get(), schema);
    this.decoder = new BinaryMessageDecoder<>(SpecificData.get(), schema);
  }

  /**
   * A codec that also reads records written with {@code writers} (other versions of the same
   * record): each compatible one is resolved to this codec's schema by Avro's rules (a field the
   * writer lacks takes its default, a field the reader lacks is skipped); an incompatible one is
   * remembered so that its records are refused with the reason. Encoding stays on this codec's schema.
   */
  public SingleObjectCodec<T> withWriterSchemas(Collection<Schema> writers) {
    SingleObjectCodec<T> codec = new SingleObjectCodec<>(type, schema);
    for (Schema writer : writers) {
      long writerFingerprint = SchemaNormalization.parsingFingerprint64(writer);
      if (writerFingerprint == fingerprint) {
        continue;
      }
      SchemaCompatibility.SchemaPairCompatibility check =
          SchemaCompatibility.checkReaderWriterCompatibility(schema, writer);
      if (check.getType() == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
        codec.decoder.addSchema(writer);
        codec.compatibleWriters.add(writerFingerprint);
      } else {
        List<String> problems = new ArrayList<>();
        for (SchemaCompatibility.Incompatibility problem : check.getResult().getIncompatibilities()) {
          problems.add(problem.getType() + " at " + fieldAt(problem.getLocation()) + problem.getLocation() + ": "
              + problem.getMessage());
        }
        codec.incompatible.put(writerFingerprint, String.join("; ", problems));
      }
    }
    return codec;
  }

  /** "field NAME " for a location inside one of this schema's top-level fields ({@code /fields/N/...}), else "". */
  private String fieldAt(String location) {
    String[] parts = location.split("/");
    if (parts.length > 2 && parts[1].equals("fields") && parts[2].matches("\\d+")) {
      int index = Integer.parseInt(parts[2]);
      if (index < schema.getFields().size()) {
        return "field " + schema.getFields().get(index).name() + " ";
      }
    }
    return "";
  }

  /** Fingerprints of the other writer schemas this codec resolves, as {@link #withWriterSchemas} found them. */
  public List<Long> compatibleWriters() {
    return List.copyOf(compatibleWriters);
  }

  /** Why each known incompatible writer schema (by fingerprint) cannot be read. */
  public Map<Long, String> incompatibleWriters() {
    return Map.copyOf(incompatible);
  }

  /**
   * Applies the limits above unless the JVM was started with its own. Avro reads its limit
   * properties once, when its limit class loads, so they are re-read here in case Avro was used
   * before this class.
   */
  private static void limitAvroAllocations() {
    setIfAbsent(SystemLimitException.MAX_COLLECTION_LENGTH_PROPERTY, MAX_COLLECTION_ITEMS);
    setIfAbsent(SystemLimitException.MAX_BYTES_LENGTH_PROPERTY, MAX_BYTES_LENGTH);
    setIfAbsent(SystemLimitException.MAX_STRING_LENGTH_PROPERTY, MAX_STRING_LENGTH);
    try {
      Method reset = SystemLimitException.class.getDeclaredMethod("resetLimits");
      reset.setAccessible(true);
      reset.invoke(null);
    } catch (ReflectiveOperationException | RuntimeException e) {
      // An Avro without resetLimits reads the properties at first use, which is after this point
      // unless Avro decoded something earlier; the JVM flags in deploy/ set them as well.
    }
  }

  private static void setIfAbsent(String property, int value) {
    if (System.getProperty(property) == null) {
      System.setProperty(property, Integer.toString(value));
    }
  }

  public static <T extends SpecificRecord> SingleObjectCodec<T> of(Class<T> type, Schema schema) {
    return new SingleObjectCodec<>(type, schema);
  }

  public Class<T> type() {
    return type;
  }

  public Schema schema() {
    return schema;
  }

  /** CRC-64-AVRO fingerprint of the writer schema, as written in every record's header. */
  public long fingerprint() {
    return fingerprint;
  }

  public byte[] encode(T record) {
    try {
      ByteBuffer buffer = encoder.encode(record);
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (IOException | AvroRuntimeException e) {
      throw new IllegalArgumentException("cannot encode " + type.getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Decodes one record.
   *
   * @throws SchemaMismatchException when the bytes are not single-object encoded, carry another
   *     schema's fingerprint, or the body does not parse
   */
  public T decode(byte[] bytes) {
    if (bytes == null) {
      throw new SchemaMismatchException("null record value");
    }
    try {
      return decoder.decode(bytes);
    } catch (MissingSchemaException e) {
      String reason = bytes.length >= 10 ? incompatible.get(headerValue(bytes)) : null;
      if (reason != null) {
        throw new SchemaMismatchException("writer schema " + headerFingerprint(bytes) + " is incompatible with "
            + type.getSimpleName() + " " + Long.toHexString(fingerprint) + ": " + reason);
      }
      throw new SchemaMismatchException(
          "unknown schema fingerprint " + headerFingerprint(bytes) + ", expected "
              + Long.toHexString(fingerprint) + " (" + type.getSimpleName() + ")"
              + (compatibleWriters.isEmpty() ? "" : " or a known writer schema"));
    } catch (BadHeaderException e) {
      throw new SchemaMismatchException("not Avro single-object encoded: " + e.getMessage());
    } catch (IOException | RuntimeException e) {
      throw new SchemaMismatchException(
          "malformed " + type.getSimpleName() + " body (" + bytes.length + " bytes): " + e);
    }
  }

  private static String headerFingerprint(byte[] bytes) {
    return bytes.length < 10 ? "(truncated header)" : Long.toHexString(headerValue(bytes));
  }

  /** The header's fingerprint, stored little-endian after the 2-byte marker. */
  private static long headerValue(byte[] bytes) {
    long value = 0;
    for (int i = 9; i >= 2; i--) {
      value = (value << 8) | (bytes[i] & 0xFF);
    }
    return value;
  }

  @Override
  public String toString() {
    return "SingleObjectCodec[" + type.getSimpleName() + ", " + Long.toHexString(fingerprint) + "]";
  }

  /** Thrown when bytes cannot be read as this codec's record type; the message is the reason. */
  public static final class SchemaMismatchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SchemaMismatchException(String message) {
      super(message);
    }
  }

}

package io.deeprec.job.kafka;

import io.deeprec.schema.SingleObjectCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads one of the job's output topics from the beginning, decoding each record with its
 * single-object codec; {@code read_committed}, so with exactly-once delivery it sees only
 * committed results. Used by the CLI's live summary and by tests.
 */
public final class TopicReader<T extends SpecificRecord> implements AutoCloseable {
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final SingleObjectCodec<T> codec;

  public TopicReader(Properties clientProps, String topic, SingleObjectCodec<T> codec) {
    Properties props = new Properties();
    props.putAll(clientProps);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "deeprec-reader-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    this.consumer = new KafkaConsumer<>(props);
    this.codec = codec;
    consumer.subscribe(List.of(topic));
  }

  /** Polls once for up to {@code timeout} and hands each decoded record to {@code sink}. */
  public int poll(Duration timeout, Consumer<T> sink) {
    int count = 0;
    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(timeout)) {
      sink.accept(codec.decode(record.value()));
      count++;
    }
    return count;
  }

  /** Polls until {@code wanted} records were read or {@code timeout} passed; returns what was read. */
  public List<T> readAtLeast(int wanted, Duration timeout) {
    List<T> records = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (records.size() < wanted && System.nanoTime() < deadline) {
      poll(Duration.ofMillis(200), records::add);
    }
    return records;
  }

  @Override
  public void close() {
    consumer.close();
  }
}

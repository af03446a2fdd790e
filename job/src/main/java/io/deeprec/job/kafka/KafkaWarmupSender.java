package io.deeprec.job.kafka;

import io.deeprec.schema.MetricsSnapshot;
import io.deeprec.schema.RecQuery;
import io.deeprec.schema.SingleObjectCodec;
import io.deeprec.warmup.WarmupSender;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Sends the job's warm-up queries to the queries topic and its readiness records to the metrics topic. */
public final class KafkaWarmupSender implements WarmupSender {
  private final KafkaProducer<byte[], byte[]> producer;
  private final String queriesTopic;
  private final String metricsTopic;

  KafkaWarmupSender(Properties clientProps, String queriesTopic, String metricsTopic) {
    Properties props = new Properties();
    props.putAll(clientProps);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    this.producer = new KafkaProducer<>(props);
    this.queriesTopic = queriesTopic;
    this.metricsTopic = metricsTopic;
  }

  @Override
  public int partitions() {
    return producer.partitionsFor(queriesTopic).size();
  }

  @Override
  public void send(RecQuery query, int partition) {
    producer.send(new ProducerRecord<>(queriesTopic, partition, key(query.getQueryId()),
        SingleObjectCodec.QUERY.encode(query)));
  }

  @Override
  public void announce(MetricsSnapshot readiness) {
    producer.send(new ProducerRecord<>(metricsTopic, key(readiness.getModel()), SingleObjectCodec.METRICS.encode(readiness)));
    producer.flush();
  }

  private static byte[] key(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    producer.close();
  }

  /** Serializable recipe for a sender, opened inside the warm-up task. */
  public record Factory(Properties clientProps, String queriesTopic, String metricsTopic) implements WarmupSender.Factory {
    private static final long serialVersionUID = 1L;

    @Override
    public WarmupSender open() {
      return new KafkaWarmupSender(clientProps, queriesTopic, metricsTopic);
    }
  }
}

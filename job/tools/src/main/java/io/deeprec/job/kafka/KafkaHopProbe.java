package io.deeprec.job.kafka;

import io.deeprec.sched.LatencyStats;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Times bare Kafka hops beside a running job: a producer sends a small record carrying its send time
 * to a topic of its own, a consumer in the same JVM times its receipt. A query crosses two such hops
 * (queries in, results out), so this is the floor under the source and sink stages of the job's
 * breakdown, measured on the same broker and cores at the same time. The producer writes as the
 * job's sinks do ({@code linger.ms=0}); the consumer is assigned the partition (no group) and reads
 * from the end.
 */
public final class KafkaHopProbe implements AutoCloseable {
  private static final int PAYLOAD_BYTES = 256;
  private static final long MAX_SLEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private final KafkaProducer<byte[], byte[]> producer;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final String topic;
  private final long gapNanos;
  private final LatencyStats hops = new LatencyStats();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLong sent = new AtomicLong();
  private final Thread sender;
  private final Thread receiver;

  /**
   * Starts sending {@code hopsPerSecond} records to {@code topic} (which must exist, with a partition
   * 0) and timing them.
   */
  public KafkaHopProbe(Properties clientProps, String topic, double hopsPerSecond) {
    if (!(hopsPerSecond > 0)) {
      throw new IllegalArgumentException("hops per second must be > 0: " + hopsPerSecond);
    }
    this.topic = topic;
    this.gapNanos = (long) (1e9 / hopsPerSecond);
    Properties producerProps = new Properties();
    producerProps.putAll(clientProps);
    producerProps.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    this.producer = new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer());
    Properties consumerProps = new Properties();
    consumerProps.putAll(clientProps);
    consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    this.consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    TopicPartition partition = new TopicPartition(topic, 0);
    consumer.assign(List.of(partition));
    consumer.seekToEnd(List.of(partition));
    consumer.position(partition); // resolve the end now: no hop sent from here on is missed
    this.receiver = new Thread(this::receive, "deeprec-kafka-hop-receiver");
    this.sender = new Thread(this::send, "deeprec-kafka-hop-sender");
    receiver.setDaemon(true);
    sender.setDaemon(true);
    receiver.start();
    sender.start();
  }

  private void send() {
    long next = System.nanoTime();
    while (running.get()) {
      ByteBuffer record = ByteBuffer.allocate(PAYLOAD_BYTES);
      record.putLong(System.nanoTime());
      producer.send(new ProducerRecord<>(topic, 0, null, record.array()));
      sent.incrementAndGet();
      next += gapNanos;
      if (next < System.nanoTime()) {
        next = System.nanoTime(); // late: keep the spacing from now, never send a burst
      }
      // Sleeps in slices, so that close() finds the sender stopped within one slice at any rate.
      for (long wait; running.get() && (wait = next - System.nanoTime()) > 0; ) {
        try {
          TimeUnit.NANOSECONDS.sleep(Math.min(wait, MAX_SLEEP_NANOS));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private void receive() {
    while (running.get()) {
      for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
        long received = System.nanoTime();
        long sentNanos = ByteBuffer.wrap(record.value()).getLong();
        synchronized (hops) {
          hops.record((received - sentNanos) / 1e6);
        }
      }
    }
  }

  /** Records sent so far. */
  public long sent() {
    return sent.get();
  }

  /** The hops timed so far, producer send to consumer receipt (ms). */
  public LatencyStats hops() {
    LatencyStats copy = new LatencyStats();
    synchronized (hops) {
      copy.add(hops);
    }
    return copy;
  }

  /** Stops timing; idempotent. */
  @Override
  public void close() {
    if (!running.getAndSet(false)) {
      return;
    }
    // The sender sleeps one slice at most: joined, not interrupted (an interrupt could land inside send()).
    try {
      sender.join(5_000);
      receiver.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(Duration.ofSeconds(5));
    consumer.close(Duration.ofSeconds(5));
  }
}

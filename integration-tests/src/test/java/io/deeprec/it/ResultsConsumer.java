package io.deeprec.it;

import io.deeprec.schema.RecResult;
import io.deeprec.schema.SingleObjectCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What a consumer of the results topic sees: a plain {@link KafkaConsumer} ({@code read_committed},
 * a group of its own, from the earliest offset) polling on its own thread, keeping every result by
 * query id and how many times each id came. Tests wait on its counts, never on a clock.
 */
final class ResultsConsumer implements AutoCloseable {
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Thread thread;
  private final Map<String, List<RecResult>> byQuery = new HashMap<>();
  private final Map<String, String> keyByQuery = new HashMap<>();
  private volatile boolean running = true;
  private volatile RuntimeException failure;

  ResultsConsumer(Properties clientProps, String topic) {
    Properties props = new Properties();
    props.putAll(clientProps);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "it-results-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    consumer = new KafkaConsumer<>(props);
    consumer.subscribe(List.of(topic));
    thread = new Thread(this::loop, "it-results-consumer");
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    try {
      while (running) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          RecResult result = SingleObjectCodec.RESULT.decode(record.value());
          synchronized (this) {
            byQuery.computeIfAbsent(result.getQueryId(), id -> new ArrayList<>()).add(result);
            keyByQuery.put(result.getQueryId(), record.key() == null ? null : new String(record.key()));
            notifyAll();
          }
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      failure = e;
      synchronized (this) {
        notifyAll();
      }
    }
  }

  /** Waits until {@code condition} holds for the results so far, or fails after {@code timeout}. */
  synchronized void await(String what, Predicate<Map<String, List<RecResult>>> condition, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.test(byQuery)) {
      if (failure != null) {
        throw new AssertionError("the results consumer failed", failure);
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what + " ("
            + byQuery.size() + " query ids answered)");
      }
      wait(Math.max(1, left / 1_000_000));
    }
  }

  /** Waits until {@code ids} all have at least one result. */
  void awaitAnswered(java.util.Collection<String> ids, Duration timeout) throws InterruptedException {
    await(ids.size() + " queries answered", results -> results.keySet().containsAll(ids), timeout);
  }

  /**
   * Waits until at least {@code count} distinct query ids starting with {@code prefix} were
   * answered; generated ids are {@code prefix-0 .. prefix-(count-1)}, so a timeout names the
   * first ones missing.
   */
  void awaitAnsweredCount(String prefix, long count, Duration timeout) throws InterruptedException {
    try {
      await(count + " queries answered", results -> results.keySet().stream().filter(id -> id.startsWith(prefix))
          .count() >= count, timeout);
    } catch (AssertionError e) {
      java.util.List<String> missing = new java.util.ArrayList<>();
      synchronized (this) {
        for (long i = 0; i < count && missing.size() < 10; i++) {
          if (!byQuery.containsKey(prefix + "-" + i)) {
            missing.add(prefix + "-" + i);
          }
        }
      }
      throw new AssertionError(e.getMessage() + "; first missing: " + missing, e);
    }
  }

  /** A copy of every result received so far, by query id, in arrival order. */
  synchronized Map<String, List<RecResult>> results() {
    Map<String, List<RecResult>> copy = new HashMap<>();
    byQuery.forEach((id, list) -> copy.put(id, List.copyOf(list)));
    return copy;
  }

  /** The record key each query id's result came with. */
  synchronized Map<String, String> keys() {
    return new HashMap<>(keyByQuery);
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    consumer.wakeup();
    thread.join(10_000);
    consumer.close();
  }
}

package io.deeprec.job.load;

import io.deeprec.schema.RecQuery;
import io.deeprec.schema.SingleObjectCodec;
import io.deeprec.sched.sim.RateSchedule;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Open-loop load: send times follow a Poisson process (exponential gaps at {@code rate} per
 * second) and never wait for answers; each query is timestamped when generated. The achieved rate
 * is reported so that a generator falling behind is visible.
 */
public final class OpenLoopSender implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OpenLoopSender.class);
  /** Failed records kept for sending again by default: a broker that is down for a long run must not fill the heap. */
  public static final int DEFAULT_KEEP_FAILED = 10_000;

  private final KafkaProducer<byte[], byte[]> producer;
  private final String topic;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  /** Records the producer gave up on, kept so that a caller that must deliver everything can send them again. */
  private final Queue<ProducerRecord<byte[], byte[]>> failedRecords = new ConcurrentLinkedQueue<>();
  /** How many records failedRecords holds (its size() walks the queue). */
  private final AtomicInteger keptFailed = new AtomicInteger();
  private final AtomicLong notKept = new AtomicLong();
  private final int keepFailedUpTo;
  private volatile String firstFailure;
  private volatile long startNanos;
  private volatile long endNanos;
  private volatile long sentInRun;

  public OpenLoopSender(Properties clientProps, String topic) {
    this(clientProps, topic, DEFAULT_KEEP_FAILED);
  }

  /** @param keepFailedUpTo how many failed records to keep for {@link #resendFailed}; later failures are counted only */
  public OpenLoopSender(Properties clientProps, String topic, int keepFailedUpTo) {
    if (keepFailedUpTo < 0) {
      throw new IllegalArgumentException("keepFailedUpTo must be >= 0: " + keepFailedUpTo);
    }
    this.keepFailedUpTo = keepFailedUpTo;
    Properties props = new Properties();
    props.putAll(clientProps);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "1");
    props.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
    this.producer = new KafkaProducer<>(props);
    this.topic = topic;
    // Fetch the topic's metadata now: a producer's first send otherwise waits for it, inside the timing.
    producer.partitionsFor(topic);
  }

  /**
   * Sends for {@code durationMs} at {@code rate} queries per second (Poisson arrivals), blocking
   * the calling thread; returns the number sent.
   */
  public long run(QueryGenerator generator, double rate, long durationMs, long seed) {
    if (rate <= 0) {
      throw new IllegalArgumentException("rate must be > 0 queries/s: " + rate);
    }
    return run(generator, new ArrivalSchedule(RateSchedule.constant(rate), ArrivalProcess.POISSON, seed), durationMs);
  }

  /**
   * Sends for {@code durationMs} at the schedule's due times, blocking the calling thread; returns
   * the number sent. A query late for its due time is sent at once (never skipped), so a sender
   * that falls behind shows up as an achieved rate below the schedule's.
   */
  public long run(QueryGenerator generator, ArrivalSchedule schedule, long durationMs) {
    long before = sent.get();
    startNanos = System.nanoTime();
    endNanos = 0;
    long deadline = startNanos + durationMs * 1_000_000L;
    while (true) {
      double dueMs = schedule.nextDueMs();
      long due = startNanos + (long) (dueMs * 1_000_000.0);
      if (dueMs >= durationMs || due >= deadline) {
        break;
      }
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      send(generator.next(System.currentTimeMillis()));
    }
    long now = System.nanoTime();
    // The window is the asked duration unless sending overran it, so the rate is not inflated.
    endNanos = Math.max(now, deadline);
    sentInRun = sent.get() - before;
    producer.flush();
    return sentInRun;
  }

  /** Sends one record as is (also used for probes and malformed records in tests). */
  public void send(RecQuery query) {
    sendBytes(query.getQueryId().getBytes(StandardCharsets.UTF_8), SingleObjectCodec.QUERY.encode(query));
  }

  public void sendBytes(byte[] key, byte[] value) {
    send(new ProducerRecord<>(topic, key, value));
    sent.incrementAndGet();
  }

  private void send(ProducerRecord<byte[], byte[]> record) {
    producer.send(record, (metadata, error) -> {
      if (error != null) {
        if (failed.incrementAndGet() == 1) {
          firstFailure = error.toString();
          LOG.warn("the producer failed to write a query to {} (later failures are counted, not logged)", topic, error);
        }
        if (keptFailed.incrementAndGet() <= keepFailedUpTo) {
          failedRecords.add(record);
        } else {
          keptFailed.decrementAndGet();
          if (notKept.incrementAndGet() == 1) {
            LOG.warn("{} failed records kept for sending again; later ones are counted as lost", keepFailedUpTo);
          }
        }
      }
    });
  }

  /**
   * Sends again the records the producer failed to write so far (call after {@link #flush()}); returns how
   * many. They count as failed once each; the caller flushes and checks {@link #unwritten()}.
   */
  public int resendFailed() {
    // Only those failed so far: a record can fail again at once (the callback runs inside send).
    int due = keptFailed.get();
    int resent = 0;
    ProducerRecord<byte[], byte[]> record;
    while (resent < due && (record = failedRecords.poll()) != null) {
      keptFailed.decrementAndGet();
      send(record);
      resent++;
    }
    return resent;
  }

  /** Records the producer failed to write and that were not sent again, kept or not. */
  public long unwritten() {
    return keptFailed.get() + notKept.get();
  }

  /** Failed records beyond the number kept: lost, they cannot be sent again. */
  public long notKept() {
    return notKept.get();
  }

  /** The first write failure, in words; null when none. */
  public String firstFailure() {
    return firstFailure;
  }

  public void flush() {
    producer.flush();
  }

  public long sent() {
    return sent.get();
  }

  public long failed() {
    return failed.get();
  }

  /** Queries per second actually sent over the last {@link #run}. */
  public double achievedRate() {
    long end = endNanos == 0 ? System.nanoTime() : endNanos;
    double seconds = (end - startNanos) / 1e9;
    return seconds <= 0 ? 0 : sentInRun / seconds;
  }

  @Override
  public void close() {
    producer.close();
  }
}

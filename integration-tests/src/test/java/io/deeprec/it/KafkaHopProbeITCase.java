package io.deeprec.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.deeprec.job.kafka.KafkaHopProbe;
import io.deeprec.sched.LatencyStats;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The bare Kafka hop that `deeprec run` reports beside its breakdown, on the embedded broker. */
class KafkaHopProbeITCase {

  @RegisterExtension
  static final EmbeddedKafka KAFKA = new EmbeddedKafka();

  /**
   * Input: a probe sending 100 hops/s on a topic of its own until 30 were received.
   * Output: every timed hop is one the probe sent, each took some time, and the statistics stop
   * growing once the probe is closed.
   */
  @Test
  void timesTheHopsItSentUntilClosed() {
    KAFKA.createTopics(1, "hop-probe");
    KafkaHopProbe probe = new KafkaHopProbe(KAFKA.clientProperties(), "hop-probe", 100);
    try {
      await().atMost(Duration.ofMinutes(1)).until(() -> probe.hops().count() >= 30);
    } finally {
      probe.close();
    }
    probe.close(); // idempotent

    LatencyStats hops = probe.hops();
    assertThat(hops.count()).isBetween(30L, probe.sent());
    assertThat(hops.percentile(50)).isPositive().isLessThanOrEqualTo(hops.percentile(95));
    assertThat(probe.hops().count()).as("no hop timed after close").isEqualTo(hops.count());
  }
}

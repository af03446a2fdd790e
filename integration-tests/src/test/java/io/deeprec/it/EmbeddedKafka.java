package io.deeprec.it;

import io.deeprec.job.kafka.EmbeddedKafkaBroker;
import java.util.Properties;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real KRaft broker for one test class: {@code @RegisterExtension static final EmbeddedKafka
 * KAFKA = new EmbeddedKafka();}, started before the class's tests and closed after them.
 */
final class EmbeddedKafka implements BeforeAllCallback, AfterAllCallback {
  private final boolean sasl;
  private EmbeddedKafkaBroker broker;

  EmbeddedKafka() {
    this(false);
  }

  /** @param sasl whether clients must authenticate with SASL/PLAIN ({@link EmbeddedKafkaBroker#startWithSasl()}) */
  EmbeddedKafka(boolean sasl) {
    this.sasl = sasl;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    broker = sasl ? EmbeddedKafkaBroker.startWithSasl() : EmbeddedKafkaBroker.start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (broker != null) {
      broker.close();
    }
  }

  String bootstrapServers() {
    return broker.bootstrapServers();
  }

  /** Creates topics of {@code partitions} partitions each. */
  void createTopics(int partitions, String... topics) {
    broker.createTopics(partitions, topics);
  }

  /** Plain client properties (bootstrap servers only). */
  Properties clientProperties() {
    Properties props = new Properties();
    props.setProperty("bootstrap.servers", bootstrapServers());
    return props;
  }
}

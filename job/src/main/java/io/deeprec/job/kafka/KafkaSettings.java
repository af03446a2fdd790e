package io.deeprec.job.kafka;

import io.deeprec.job.DeepRecOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * Kafka client settings shared by the source, the sinks and the admin client: the bootstrap
 * servers plus everything in the properties file (security.protocol, sasl.*, ssl.*), so secrets
 * never travel on a command line.
 */
public final class KafkaSettings implements Serializable {
  private static final long serialVersionUID = 1L;

  private final Properties clientProperties;

  private KafkaSettings(Properties clientProperties) {
    this.clientProperties = clientProperties;
  }

  public static KafkaSettings from(Configuration conf) {
    Properties props = new Properties();
    String file = conf.get(DeepRecOptions.KAFKA_PROPERTIES_FILE);
    if (file != null && !file.isBlank()) {
      try (InputStream in = Files.newInputStream(Path.of(file))) {
        props.load(in);
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read Kafka properties file " + file + ": " + e.getMessage(), e);
      }
    }
    String bootstrap = conf.get(DeepRecOptions.BOOTSTRAP_SERVERS);
    if (bootstrap != null && !bootstrap.isBlank()) {
      props.setProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    }
    if (props.getProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG) == null) {
      throw new IllegalArgumentException("no Kafka bootstrap servers: set " + DeepRecOptions.BOOTSTRAP_SERVERS.key()
          + " (--bootstrap-servers) or bootstrap.servers in the properties file");
    }
    return new KafkaSettings(props);
  }

  public String bootstrapServers() {
    return clientProperties.getProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
  }

  /** A copy of all client properties (bootstrap servers included). */
  public Properties clientProperties() {
    Properties copy = new Properties();
    copy.putAll(clientProperties);
    return copy;
  }
}

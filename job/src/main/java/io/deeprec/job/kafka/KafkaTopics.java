package io.deeprec.job.kafka;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the job's topics where missing, on any cluster the given client properties reach. */
public final class KafkaTopics {

  private KafkaTopics() {}

  /**
   * Creates each topic of {@code topics} that does not exist yet; existing ones are left as they are.
   *
   * @param clientProps bootstrap servers plus any security settings
   */
  public static void ensure(Properties clientProps, int partitions, short replication, Collection<String> topics) {
    try (Admin admin = Admin.create(clientProps)) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing = new ArrayList<>();
      for (String topic : topics) {
        if (!existing.contains(topic)) {
          // replication <= 0 takes the broker's default.
          missing.add(new NewTopic(topic, Optional.of(partitions),
              replication > 0 ? Optional.of(replication) : Optional.empty()));
        }
      }
      if (missing.isEmpty()) {
        return;
      }
      try {
        admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics " + topics, e);
    } catch (Exception e) {
      Throwable cause = e;
      while (cause.getCause() != null && !(cause instanceof AuthenticationException)) {
        cause = cause.getCause();
      }
      if (cause instanceof AuthenticationException) {
        throw new IllegalStateException("Kafka authentication failed at "
            + clientProps.getProperty("bootstrap.servers") + ": " + cause.getMessage()
            + " (check security.protocol, sasl.mechanism and sasl.jaas.config in the Kafka properties file)", e);
      }
      throw new IllegalStateException("could not create topics " + topics + ": " + e.getMessage(), e);
    }
  }
}

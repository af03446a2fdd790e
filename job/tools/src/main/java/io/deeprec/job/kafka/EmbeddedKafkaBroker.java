package io.deeprec.job.kafka;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.AdminClientConfig;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Kafka 4.x broker in KRaft mode (one combined broker + controller) started in this
 * JVM from Maven artifacts, on a free loopback port, with its log in a temporary directory that is
 * deleted on close. Not a mock: clients talk to it over TCP exactly as to a cluster.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

  private final KafkaClusterTestKit cluster;

  private EmbeddedKafkaBroker(KafkaClusterTestKit cluster) {
    this.cluster = cluster;
  }

  /** User and password the SASL broker accepts (besides its admin), see {@link #startWithSasl()}. */
  public static final String SASL_USER = "plain-user1";
  public static final String SASL_PASSWORD = "plain-user1-secret";
  /** The test kit's SASL super user, used only to grant the ACLs. */
  private static final String SASL_ADMIN = "plain-admin";
  private static final String SASL_ADMIN_PASSWORD = "plain-admin-secret";

  /** Starts the broker and waits until it accepts clients (typically 3-5 s). */
  public static EmbeddedKafkaBroker start() {
    return start(SecurityProtocol.PLAINTEXT);
  }

  /**
   * Starts a broker whose client listener requires SASL/PLAIN authentication (SASL_PLAINTEXT):
   * {@link #SASL_USER} / {@link #SASL_PASSWORD} are accepted, anything else is refused.
   */
  public static EmbeddedKafkaBroker startWithSasl() {
    EmbeddedKafkaBroker broker = start(SecurityProtocol.SASL_PLAINTEXT);
    try {
      broker.grantAll(SASL_USER);
    } catch (RuntimeException e) {
      broker.close();
      throw e;
    }
    return broker;
  }

  /**
   * The SASL broker runs an authorizer: gives {@code user} every operation on all topics, groups,
   * transactional ids and the cluster, as a job's service account would get on a real cluster.
   */
  private void grantAll(String user) {
    Properties admin = new Properties();
    admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    admin.put("security.protocol", "SASL_PLAINTEXT");
    admin.put("sasl.mechanism", "PLAIN");
    admin.put("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required "
        + "username=\"" + SASL_ADMIN + "\" password=\"" + SASL_ADMIN_PASSWORD + "\";");
    String principal = "User:" + user;
    List<AclBinding> acls = List.of(
        allowAll(ResourceType.TOPIC, "*", principal),
        allowAll(ResourceType.GROUP, "*", principal),
        allowAll(ResourceType.TRANSACTIONAL_ID, "*", principal),
        allowAll(ResourceType.CLUSTER, "kafka-cluster", principal));
    try (Admin client = Admin.create(admin)) {
      client.createAcls(acls).all().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("could not grant ACLs to " + principal + ": " + e.getMessage(), e);
    }
  }

  private static AclBinding allowAll(ResourceType type, String name, String principal) {
    return new AclBinding(new ResourcePattern(type, name, PatternType.LITERAL),
        new AccessControlEntry(principal, "*", AclOperation.ALL, AclPermissionType.ALLOW));
  }

  private static EmbeddedKafkaBroker start(SecurityProtocol protocol) {
    long begin = System.nanoTime();
    KafkaClusterTestKit cluster = null;
    try {
      TestKitNodes nodes = new TestKitNodes.Builder()
          .setCombined(true)
          .setNumBrokerNodes(1)
          .setNumControllerNodes(1)
          .setBrokerSecurityProtocol(protocol)
          // With SASL the test kit installs an authorizer whose only super user is its SASL admin,
          // so the controller listener must authenticate too or broker registration is refused.
          .setControllerSecurityProtocol(protocol)
          .build();
      cluster = new KafkaClusterTestKit.Builder(nodes)
          // A single broker: internal topics must not ask for more replicas than exist, or
          // group-managed consumers and transactions silently stall.
          .setConfigProp("offsets.topic.replication.factor", "1")
          .setConfigProp("offsets.topic.num.partitions", "4")
          .setConfigProp("transaction.state.log.replication.factor", "1")
          .setConfigProp("transaction.state.log.min.isr", "1")
          .setConfigProp("transaction.state.log.num.partitions", "4")
          .setConfigProp("group.initial.rebalance.delay.ms", "0")
          .setConfigProp("auto.create.topics.enable", "false")
          .setDeleteOnClose(true)
          .build();
      formatQuietly(cluster);
      cluster.startup();
      cluster.waitForReadyBrokers();
      EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(cluster);
      LOG.info("embedded Kafka broker ready at {} in {} ms", broker.bootstrapServers(),
          (System.nanoTime() - begin) / 1_000_000);
      return broker;
    } catch (Exception e) {
      if (cluster != null) {
        try {
          cluster.close();
        } catch (Exception suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw new IllegalStateException("could not start the embedded Kafka broker: " + e.getMessage(), e);
    }
  }

  /** The test kit prints its storage formatting to stdout; keep the CLI's output clean. */
  private static void formatQuietly(KafkaClusterTestKit cluster) throws Exception {
    PrintStream stdout = System.out;
    System.setOut(new PrintStream(OutputStream.nullOutputStream()));
    try {
      cluster.format();
    } finally {
      System.setOut(stdout);
    }
  }

  public String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  /** Creates the topics that do not exist yet. */
  public void createTopics(int partitions, String... topics) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    KafkaTopics.ensure(props, partitions, (short) 1, List.of(topics));
  }

  @Override
  public void close() {
    try {
      cluster.close();
    } catch (Exception e) {
      LOG.warn("embedded Kafka broker did not close cleanly: {}", e.toString());
    }
  }
}

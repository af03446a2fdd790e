package io.deeprec.job.cli;

import io.deeprec.job.DeepRecOptions;
import io.deeprec.schema.ControlDecision;
import io.deeprec.schema.ModelRollout;
import io.deeprec.schema.RecResult;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import io.deeprec.model.torchscript.ModelManifest;
import java.time.Duration;
import java.time.Instant;
import io.deeprec.schema.DecisionSource;
import io.deeprec.schema.SingleObjectCodec;
import io.deeprec.sched.BatchSettings;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Pins (or releases) a model's batch settings in a running job by writing a MANUAL {@link
 * ControlDecision} to the control topic; the batchers apply it at once and the controller stops
 * adapting the model until it is released.
 */
@Command(name = "control", mixinStandardHelpOptions = true,
    description = "Pin or release a model's batch size / offload threshold in a running job, or roll out a version "
        + "of an external model (control topic).")
public final class ControlCommand implements Callable<Integer> {

  @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT", description = "Kafka of the job.")
  String bootstrapServers;

  @Option(names = "--kafka-properties", paramLabel = "FILE", description = "Kafka client properties (security).")
  Path kafkaProperties;

  @Option(names = "--topic", description = "Control topic (default: deeprec.control).")
  String topic = DeepRecOptions.CONTROL_TOPIC.defaultValue();

  @Option(names = "--model", required = true, description = "Model id, e.g. rmc1.")
  String model;

  @Option(names = "--batch-size", description = "Items per request to pin, 1-1024.")
  Integer batchSize;

  @Option(names = "--max-queue-delay-ms", defaultValue = "0", description = "Merge delay to pin, ms (default: 0).")
  long maxQueueDelayMs;

  @Option(names = "--offload-threshold", defaultValue = "0", description = "Offload threshold to pin; 0 = none.")
  int offloadThreshold;

  @Option(names = "--release", description = "Release the pin: the model's policy takes over again.")
  boolean release;

  @Option(names = "--rollout", paramLabel = "DIR", description = "Roll out the external model version in DIR "
      + "(model.pt + deeprec-model.json, readable by every TaskManager); a rollback is a rollout of the older DIR.")
  String rolloutDir;

  @Option(names = "--version", paramLabel = "V", description = "With --rollout: the version DIR's manifest declares.")
  String version;

  @Option(names = "--activate-in", paramLabel = "DURATION", defaultValue = "10s",
      description = "With --rollout: how long TaskManagers have to load the version in the background before queries "
          + "are batched for it, e.g. 10s, 500ms, 0 (default: 10s).")
  String activateIn;

  @Option(names = "--wait-for-switch", paramLabel = "DURATION", description = "With --rollout: then read the results "
      + "topic until a query is scored by the new version (or a TaskManager reports that it failed to load) and print "
      + "the switch time; give up after DURATION, e.g. 2min.")
  String waitForSwitch;

  @Option(names = "--results-topic", description = "With --wait-for-switch: the job's results topic (default: "
      + "deeprec.results).")
  String resultsTopic = DeepRecOptions.RESULTS_TOPIC.defaultValue();

  private ModelRollout sent;

  /** The rollout this command wrote, if any. */
  public ModelRollout sentRollout() {
    return sent;
  }

  @Override
  public Integer call() throws Exception {
    if (rolloutDir != null) {
      return rollout();
    }
    if (!release && batchSize == null) {
      throw new IllegalArgumentException("--batch-size is required to pin (or give --release)");
    }
    int batch = release ? 1 : batchSize;
    new BatchSettings(batch, maxQueueDelayMs, offloadThreshold); // validates before anything is sent
    ControlDecision decision = ControlDecision.newBuilder()
        .setModel(model)
        .setBatchSize(batch)
        .setMaxQueueDelayMs(maxQueueDelayMs)
        .setOffloadThreshold(offloadThreshold)
        .setPolicy("manual")
        .setSource(DecisionSource.MANUAL)
        .setPinned(!release)
        .setReason(release ? "released from the command line" : "pinned from the command line")
        .setTimestampMs(System.currentTimeMillis())
        .build();
    send(SingleObjectCodec.CONTROL.encode(decision));
    System.out.println((release ? "released " : "pinned ") + model + (release ? "" : ": batch size " + batch
        + ", max queue delay " + maxQueueDelayMs + " ms, offload threshold " + offloadThreshold));
    return 0;
  }

  /** Writes a {@link ModelRollout}; a manifest readable here is checked first (a TaskManager checks it again). */
  private int rollout() throws Exception {
    if (version == null || version.isBlank()) {
      throw new IllegalArgumentException("--version is required with --rollout (the version DIR's manifest declares)");
    }
    Duration activation = "0".equals(activateIn.trim()) ? Duration.ZERO : JobOptions.parseDuration(activateIn);
    if (activation.isNegative()) {
      throw new IllegalArgumentException("--activate-in must be >= 0: " + activateIn);
    }
    Path dir = Path.of(rolloutDir);
    if (ModelManifest.isExternalModelDir(dir)) {
      ModelManifest manifest = ModelManifest.read(dir);
      if (!manifest.name().equals(model) || !manifest.version().equals(version)) {
        throw new IllegalArgumentException(dir + " holds " + manifest.name() + " version " + manifest.version()
            + ", not " + model + " version " + version);
      }
    } else {
      System.err.println("note: " + dir + " holds no " + ModelManifest.FILE + " here; sending the rollout anyway "
          + "(the TaskManagers must read it)");
    }
    long now = System.currentTimeMillis();
    ModelRollout rollout = ModelRollout.newBuilder().setModel(model).setDir(rolloutDir).setVersion(version)
        .setActivateAtMs(now + activation.toMillis()).setTimestampMs(now)
        .setReason("rolled out from the command line").build();
    send(SingleObjectCodec.ROLLOUT.encode(rollout));
    sent = rollout;
    System.out.println("rolled out " + model + " version " + version + " from " + rolloutDir + ": queries batched from "
        + Instant.ofEpochMilli(rollout.getActivateAtMs()) + " on are scored by it; results carry modelVersion, "
        + "and the metrics topic reports a failed load (rolloutFailure)");
    return waitForSwitch == null ? 0 : awaitSwitch(rollout, JobOptions.parseDuration(waitForSwitch));
  }

  /**
   * Reads the results written since the rollout until one is scored by its version (prints the
   * switch time, returns 0) or says that the version failed to load (prints why, returns 1).
   */
  private int awaitSwitch(ModelRollout rollout, Duration timeout) throws Exception {
    Properties props = clientProperties();
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> partitions = consumer.partitionsFor(resultsTopic, timeout).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(partitions);
      Map<TopicPartition, Long> since = new HashMap<>();
      partitions.forEach(p -> since.put(p, rollout.getTimestampMs()));
      consumer.offsetsForTimes(since).forEach((partition, offset) -> {
        if (offset == null) {
          consumer.seekToEnd(List.of(partition));
        } else {
          consumer.seek(partition, offset.offset());
        }
      });
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          RecResult result;
          try {
            result = SingleObjectCodec.RESULT.decode(record.value());
          } catch (SingleObjectCodec.SchemaMismatchException e) {
            continue;
          }
          if (!result.getModel().equals(model) || result.getBatchedTimeMs() < rollout.getActivateAtMs()) {
            continue;
          }
          if (result.getModelVersion().equals(rollout.getVersion())) {
            System.out.printf(Locale.ROOT, "switched: %s version %s scored its first query %d ms after the activation "
                + "time (%d ms after the rollout was sent)%n", model, rollout.getVersion(),
                result.getCompletedTimeMs() - rollout.getActivateAtMs(), result.getCompletedTimeMs() - rollout.getTimestampMs());
            return 0;
          }
          if (result.getRolloutFailure().contains("version " + rollout.getVersion() + " ")) {
            System.out.println("not switched: " + result.getRolloutFailure() + "; version " + result.getModelVersion()
                + " keeps serving");
            return 1;
          }
        }
      }
    }
    System.out.println("no query of " + model + " scored by version " + rollout.getVersion() + " within " + waitForSwitch
        + " (is traffic flowing?)");
    return 1;
  }

  private Properties clientProperties() throws java.io.IOException {
    Properties props = new Properties();
    if (kafkaProperties != null) {
      try (InputStream in = Files.newInputStream(kafkaProperties)) {
        props.load(in);
      }
    }
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return props;
  }

  private void send(byte[] value) throws Exception {
    Properties props = clientProperties();
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      producer.send(new ProducerRecord<>(topic, model.getBytes(StandardCharsets.UTF_8), value)).get(30, TimeUnit.SECONDS);
    }
  }
}

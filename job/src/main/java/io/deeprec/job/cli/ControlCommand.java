package io.deeprec.job.cli;

import io.deeprec.job.DeepRecOptions;
import io.deeprec.schema.ControlDecision;
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
    description = "Pin or release a model's batch size / offload threshold in a running job (control topic).")
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

  @Override
  public Integer call() throws Exception {
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
    Properties props = new Properties();
    if (kafkaProperties != null) {
      try (InputStream in = Files.newInputStream(kafkaProperties)) {
        props.load(in);
      }
    }
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      producer.send(new ProducerRecord<>(topic, model.getBytes(StandardCharsets.UTF_8),
          SingleObjectCodec.CONTROL.encode(decision))).get(30, TimeUnit.SECONDS);
    }
    System.out.println((release ? "released " : "pinned ") + model + (release ? "" : ": batch size " + batch
        + ", max queue delay " + maxQueueDelayMs + " ms, offload threshold " + offloadThreshold));
    return 0;
  }
}

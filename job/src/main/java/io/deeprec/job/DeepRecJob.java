package io.deeprec.job;

import io.deeprec.flink.RawRecord;
import io.deeprec.job.kafka.KafkaSettings;
import io.deeprec.job.kafka.KafkaTopics;
import io.deeprec.job.kafka.KafkaWarmupSender;
import io.deeprec.job.kafka.RawRecordDeserializer;
import io.deeprec.job.kafka.RecordSerializers;
import java.util.List;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.TransactionNamingStrategy;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The DeepRec-Flink job on Kafka: queries in, results, metrics and dead letters out. {@link #main}
 * is the entry point of the job jar on a Flink cluster; {@code deeprec run} builds the same job on
 * a local MiniCluster.
 */
public final class DeepRecJob {

  private DeepRecJob() {}

  /** Cluster entry point: same flags as {@code deeprec job --help}. */
  public static void main(String[] args) {
    int code = new picocli.CommandLine(new io.deeprec.job.cli.JobCommand()).execute(args);
    if (code != 0) {
      throw new IllegalStateException("deeprec job exited with code " + code);
    }
  }

  /** Job name shown in the Flink UI. */
  public static String jobName(JobSettings settings) {
    return "deeprec " + String.join(",", settings.models().keySet()) + " (" + settings.policy() + ")";
  }

  /**
   * Adds the job to {@code env}: Kafka source, pipeline, Kafka sinks, checkpointing. Creates the
   * topics where missing.
   */
  public static JobSettings define(StreamExecutionEnvironment env, Configuration conf) {
    JobSettings settings = JobSettings.from(conf);
    settings.checkExternalModels();
    KafkaSettings kafka = KafkaSettings.from(conf);
    KafkaTopics.ensure(kafka.clientProperties(), conf.get(DeepRecOptions.TOPIC_PARTITIONS), (short) -1,
        List.of(settings.queriesTopic(), settings.resultsTopic(), settings.metricsTopic(), settings.deadLetterTopic(),
            settings.controlTopic()));
    env.enableCheckpointing(JobSettings.checkpointInterval(conf).toMillis());
    env.setBufferTimeout(conf.get(DeepRecOptions.BUFFER_TIMEOUT).toMillis());

    String group = conf.get(DeepRecOptions.GROUP_ID);
    // Offsets come from checkpoints; a first start reads queries from the committed group offset or
    // where deeprec.kafka.starting-offsets says, feedback topics from the end: old decisions and
    // windows are not this job's.
    DataStream<RawRecord> raw = source(env, kafka, settings.queriesTopic(), group,
        JobSettings.startsFromEarliest(conf) ? OffsetResetStrategy.EARLIEST : OffsetResetStrategy.LATEST, "kafka-queries");
    DataStream<RawRecord> control = source(env, kafka, settings.controlTopic(), group + "-control",
        OffsetResetStrategy.LATEST, "kafka-control");
    DataStream<RawRecord> metricsFeedback = source(env, kafka, settings.metricsTopic(), group + "-metrics-feedback",
        OffsetResetStrategy.LATEST, "kafka-metrics-feedback");

    DeepRecPipeline.Outputs out = DeepRecPipeline.build(raw, control, metricsFeedback, settings,
        new KafkaWarmupSender.Factory(kafka.clientProperties(), settings.queriesTopic(), settings.metricsTopic()));
    DeliveryGuarantee delivery = JobSettings.exactlyOnce(conf) ? DeliveryGuarantee.EXACTLY_ONCE
        : DeliveryGuarantee.AT_LEAST_ONCE;
    Properties props = kafka.clientProperties();
    // Kafka 4 producers wait 5 ms by default to fill a batch: too long for a result that is awaited.
    props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "0");
    props.putIfAbsent(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
        Long.toString(conf.get(DeepRecOptions.TRANSACTION_TIMEOUT).toMillis()));
    out.results()
        .sinkTo(sink(props, delivery, settings.resultsTopic(), "deeprec-results",
            new RecordSerializers.ResultKey(), new RecordSerializers.ResultValue()))
        .name("kafka-results-sink").uid("kafka-results-sink");
    // Metrics windows and controller decisions are observations, not answers: a repeat after a failure
    // is harmless, and waiting for a commit would delay the control loop by a checkpoint. Results and
    // dead letters follow deeprec.kafka.delivery; fewer transactions per checkpoint also commit sooner.
    out.metrics()
        .sinkTo(sink(props, DeliveryGuarantee.AT_LEAST_ONCE, settings.metricsTopic(), "deeprec-metrics",
            new RecordSerializers.MetricsKey(), new RecordSerializers.MetricsValue()))
        .name("kafka-metrics-sink").uid("kafka-metrics-sink");
    out.deadLetters()
        .sinkTo(sink(props, delivery, settings.deadLetterTopic(), "deeprec-dead-letter",
            new RecordSerializers.DeadLetterKey(), new RecordSerializers.DeadLetterValue()))
        .name("kafka-dead-letter-sink").uid("kafka-dead-letter-sink");
    out.decisions()
        .sinkTo(sink(props, DeliveryGuarantee.AT_LEAST_ONCE, settings.controlTopic(), "deeprec-control",
            new RecordSerializers.ControlKey(), new RecordSerializers.ControlValue()))
        .name("kafka-control-sink").uid("kafka-control-sink");
    return settings;
  }

  private static DataStream<RawRecord> source(StreamExecutionEnvironment env, KafkaSettings kafka, String topic,
      String group, OffsetResetStrategy firstStart, String name) {
    KafkaSource<RawRecord> source = KafkaSource.<RawRecord>builder()
        .setProperties(kafka.clientProperties())
        .setTopics(topic)
        .setGroupId(group)
        .setStartingOffsets(OffsetsInitializer.committedOffsets(firstStart))
        .setDeserializer(new RawRecordDeserializer())
        .build();
    return env.fromSource(source, WatermarkStrategy.noWatermarks(), name).uid(name);
  }

  private static <T> KafkaSink<T> sink(Properties props, DeliveryGuarantee delivery, String topic, String txPrefix,
      SerializationSchema<T> key, SerializationSchema<T> value) {
    return KafkaSink.<T>builder()
        .setKafkaProducerConfig(props)
        .setDeliveryGuarantee(delivery)
        .setTransactionalIdPrefix(txPrefix)
        // Reuses a small pool of transactional producers instead of a new transactional id (and its
        // initTransactions round trip) per checkpoint: what lets short checkpoint intervals keep up.
        .setTransactionNamingStrategy(TransactionNamingStrategy.POOLING)
        .setRecordSerializer(KafkaRecordSerializationSchema.<T>builder()
            .setTopic(topic)
            .setKeySerializationSchema(key)
            .setValueSerializationSchema(value)
            .build())
        .build();
  }
}

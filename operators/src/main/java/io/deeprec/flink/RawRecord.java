package io.deeprec.flink;

/**
 * A Kafka record value as read, with where it came from, so that a record that fails to decode
 * can reach the dead-letter topic whole. A Flink POJO (public fields, no-arg constructor).
 */
public class RawRecord {
  public String topic;
  public int partition;
  public long offset;
  public long timestampMs;
  public byte[] value;

  public RawRecord() {}

  public RawRecord(String topic, int partition, long offset, long timestampMs, byte[] value) {
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
    this.timestampMs = timestampMs;
    this.value = value;
  }
}

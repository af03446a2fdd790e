package io.deeprec.flink;

import io.deeprec.schema.DeadLetter;
import io.deeprec.schema.RecQuery;
import io.deeprec.schema.RecResult;
import io.deeprec.schema.ResultStatus;
import io.deeprec.schema.SingleObjectCodec;
import java.util.ArrayList;
import java.util.List;
import io.deeprec.schema.SingleObjectCodec.SchemaMismatchException;
import io.deeprec.validate.QueryValidator;
import java.nio.ByteBuffer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Decodes query records and checks them; a record that cannot be served goes whole, with the
 * reason, to the {@link #DEAD_LETTERS} side output, and the job goes on. A valid query whose
 * deadline has already passed, or that is older than the maximum age (a backlog left by an outage),
 * is answered at once on the {@link #EXPIRED} side output, without spending model time (load
 * shedding).
 */
public class ValidateQueries extends ProcessFunction<RawRecord, RecQuery> {
  private static final long serialVersionUID = 1L;
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ValidateQueries.class);

  public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

  /** EXPIRED results of queries whose deadline passed before they reached the batcher. */
  public static final OutputTag<RecResult> EXPIRED = new OutputTag<>("expired-on-arrival") {};

  private final QueryValidator validator;
  private final long maxAgeMs;
  private final ArrayList<String> writerSchemas;
  private transient SingleObjectCodec<RecQuery> codec;
  private transient Counter deadLettered;
  private transient Counter shed;
  private transient Counter stale;

  /** @param maxAgeMs a query older than this (ms since its arrival time) is answered EXPIRED; > 0 */
  public ValidateQueries(QueryValidator validator, long maxAgeMs) {
    this(validator, maxAgeMs, List.of());
  }

  /**
   * @param writerSchemas other versions of RecQuery (schema JSON) that producers write with: compatible ones are
   *     read into the job's RecQuery, records of incompatible ones dead-lettered with the reason
   */
  public ValidateQueries(QueryValidator validator, long maxAgeMs, List<String> writerSchemas) {
    this.writerSchemas = new ArrayList<>(writerSchemas);
    if (maxAgeMs <= 0) {
      throw new IllegalArgumentException("maximum query age must be > 0 ms: " + maxAgeMs);
    }
    this.validator = validator;
    this.maxAgeMs = maxAgeMs;
  }

  @Override
  public void open(org.apache.flink.api.common.functions.OpenContext openContext) {
    codec = SingleObjectCodec.QUERY.withWriterSchemas(
        writerSchemas.stream().map(json -> new org.apache.avro.Schema.Parser().parse(json)).toList());
    codec.incompatibleWriters().forEach((fingerprint, reason) -> LOG.warn(
        "RecQuery writer schema {} is incompatible with the job's; its records will be dead-lettered: {}",
        Long.toHexString(fingerprint), reason));
    deadLettered = getRuntimeContext().getMetricGroup().counter("deadLettered");
    shed = getRuntimeContext().getMetricGroup().counter("expiredOnArrival");
    stale = getRuntimeContext().getMetricGroup().counter("staleOnArrival");
  }

  @Override
  public void processElement(RawRecord record, Context ctx, Collector<RecQuery> out) {
    RecQuery query;
    try {
      query = codec.decode(record.value);
    } catch (SchemaMismatchException e) {
      reject(record, null, e.getMessage(), ctx);
      return;
    }
    String problem = validator.problem(query);
    long now = ctx.timerService().currentProcessingTime();
    if (problem != null) {
      reject(record, query, problem, ctx);
    } else if (query.getDeadlineMs() != null && query.getDeadlineMs() < now) {
      shed.inc();
      ctx.output(EXPIRED, expired(query, now, "deadline passed " + (now - query.getDeadlineMs())
          + " ms before the query reached the batcher"));
    } else if (now - query.getArrivalTimeMs() > maxAgeMs) {
      shed.inc();
      stale.inc();
      ctx.output(EXPIRED, expired(query, now, "query was " + (now - query.getArrivalTimeMs())
          + " ms old when the job read it, older than the maximum age of " + maxAgeMs + " ms"));
    } else {
      out.collect(query);
    }
  }

  /** The answer to a query that arrived too late to be worth scoring. */
  static RecResult expired(RecQuery query, long now, String reason) {
    return RecResult.newBuilder()
        .setQueryId(query.getQueryId())
        .setModel(query.getModel())
        .setStatus(ResultStatus.EXPIRED)
        .setReason(reason)
        .setArrivalTimeMs(query.getArrivalTimeMs())
        .setCompletedTimeMs(now)
        .setQueueMs(0)
        .setInferenceMs(0)
        .setWorkMs(0)
        .setTotalMs(Math.max(0, now - query.getArrivalTimeMs()))
        .setBatchSize(0)
        .setRequests(0)
        .setDevice("none")
        .setQueryItems(query.getCandidateIds().size())
        .setBatchedTimeMs(now)
        .setEmittedTimeMs(now)
        .build();
  }

  private void reject(RawRecord record, RecQuery query, String reason, Context ctx) {
    deadLettered.inc();
    ctx.output(DEAD_LETTERS, DeadLetter.newBuilder()
        .setOriginalBytes(ByteBuffer.wrap(record.value == null ? new byte[0] : record.value))
        .setTopic(record.topic == null ? "" : record.topic)
        .setPartition(record.partition)
        .setOffset(record.offset)
        .setReason(reason)
        .setModel(query == null ? null : query.getModel())
        .setQueryId(query == null ? null : query.getQueryId())
        .setTimestampMs(ctx.timerService().currentProcessingTime())
        .build());
  }
}

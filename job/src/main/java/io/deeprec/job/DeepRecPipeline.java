package io.deeprec.job;

import io.deeprec.flink.MicroBatcher;
import io.deeprec.flink.RawRecord;
import io.deeprec.flink.Reassembler;
import io.deeprec.flink.ValidateQueries;
import io.deeprec.flink.WindowedMetrics;
import io.deeprec.inference.InferenceFunction;
import io.deeprec.sched.BatchPolicy;
import io.deeprec.schema.DeadLetter;
import io.deeprec.schema.MetricsSnapshot;
import io.deeprec.schema.RecQuery;
import io.deeprec.schema.RecResult;
import io.deeprec.schema.internal.InferenceRequest;
import io.deeprec.schema.internal.PartialResult;
import io.deeprec.validate.QueryValidator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The serving dataflow, independent of where records come from and go to: tests feed it from
 * memory, {@link DeepRecJob} from Kafka.
 *
 * <pre>
 * raw -> validate (bad -> dead letters) -> keyBy(model#shard) -> micro-batcher
 *     -> async inference (shared CPU workers) -> keyBy(queryId) -> reassembly -> results
 * results + dead letters -> keyBy(model) -> windowed metrics
 * </pre>
 */
public final class DeepRecPipeline {

  private DeepRecPipeline() {}

  /** The three output streams of the job. */
  public record Outputs(
      DataStream<RecResult> results, DataStream<MetricsSnapshot> metrics, DataStream<DeadLetter> deadLetters) {}

  public static Outputs build(DataStream<RawRecord> raw, JobSettings settings) {
    Map<String, BatchPolicy> policies = settings.policies();
    int shards = settings.shards() > 0 ? settings.shards() : raw.getExecutionEnvironment().getParallelism();

    Map<String, int[]> warmups = new HashMap<>();
    policies.forEach((model, policy) -> warmups.put(model, policy.settings().warmupBatchSizes()));

    SingleOutputStreamOperator<RecQuery> queries = raw
        .process(new ValidateQueries(new QueryValidator(settings.specs(), settings.maxCandidates())))
        .name("validate").uid("validate");
    DataStream<DeadLetter> deadLetters = queries.getSideOutput(ValidateQueries.DEAD_LETTERS);

    DataStream<InferenceRequest> requests = queries
        .keyBy(query -> MicroBatcher.key(query, shards))
        .process(new MicroBatcher(policies))
        .name("micro-batcher").uid("micro-batcher");

    DataStream<PartialResult> parts = AsyncDataStream
        .unorderedWait(requests, new InferenceFunction(settings.models(), settings.workers(), warmups),
            settings.inferenceTimeout().toMillis(), TimeUnit.MILLISECONDS, settings.capacity())
        .name("cpu-inference").uid("cpu-inference");

    DataStream<RecResult> results = parts
        .keyBy(PartialResult::getQueryId)
        .process(new Reassembler(settings.abandonAfter().toMillis()))
        .name("reassemble").uid("reassemble");

    DataStream<MetricsSnapshot> metrics = results
        .keyBy(RecResult::getModel)
        .connect(deadLetters.keyBy(DeepRecPipeline::modelOf))
        .process(new WindowedMetrics(settings.metricsWindow().toMillis(), policies))
        .name("metrics").uid("metrics");

    return new Outputs(results, metrics, deadLetters);
  }

  private static String modelOf(DeadLetter deadLetter) {
    return deadLetter.getModel() == null ? WindowedMetrics.UNKNOWN_MODEL : deadLetter.getModel();
  }
}

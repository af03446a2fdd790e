package io.deeprec.job;

import io.deeprec.flink.DecodeControl;
import io.deeprec.flink.DecodeRecords;
import io.deeprec.schema.internal.ControlRecord;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import io.deeprec.flink.MicroBatcher;
import io.deeprec.flink.PipelineWarmup;
import io.deeprec.flink.SeparateWarmup;
import io.deeprec.flink.PolicyController;
import io.deeprec.flink.RawRecord;
import io.deeprec.flink.Reassembler;
import io.deeprec.flink.ValidateQueries;
import io.deeprec.flink.WindowedMetrics;
import io.deeprec.inference.AcceleratorFunction;
import io.deeprec.inference.InferenceFunction;
import io.deeprec.sched.BatchPolicy;
import io.deeprec.schema.ControlDecision;
import io.deeprec.schema.DeadLetter;
import io.deeprec.schema.MetricsSnapshot;
import io.deeprec.schema.RecQuery;
import io.deeprec.schema.RecResult;
import io.deeprec.schema.internal.InferenceRequest;
import io.deeprec.schema.internal.PartialResult;
import io.deeprec.validate.QueryValidator;
import io.deeprec.warmup.WarmupSender;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.operators.SlotSharingGroup;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * The serving dataflow, independent of where records come from and go to: tests feed it from
 * memory, {@link DeepRecJob} from Kafka.
 *
 * <pre>
 * queries -> validate (bad -> dead letters) -> keyBy(model#shard) -> micro-batcher (+ control broadcast)
 *     -> async inference (shared CPU workers) -> keyBy(queryId) -> reassembly -> results
 *     (results of the job's own warm-up queries -> warm-up, which announces readiness)
 * results + dead letters -> keyBy(model) -> windowed metrics
 * metrics fed back (from the metrics topic) -> keyBy(model) -> controller -> decisions (to the control topic)
 * </pre>
 *
 * <p>Flink 2 has no DataStream iterations, so the loop closes through Kafka: the job reads its own
 * metrics topic into the controller and its control topic into the batchers.
 */
public final class DeepRecPipeline {

  private DeepRecPipeline() {}

  /** The three output streams of the job. */
  public record Outputs(
      DataStream<RecResult> results,
      DataStream<MetricsSnapshot> metrics,
      DataStream<DeadLetter> deadLetters,
      DataStream<ControlDecision> decisions) {}

  /**
   * @param raw query records
   * @param controlRaw control-topic records (controller decisions and manual overrides)
   * @param metricsFeedbackRaw metrics-topic records, read back for the controller
   * @param warmup where warm-up queries and the readiness announcement go (the queries and metrics
   *     topics); null for no warm-up
   */
  public static Outputs build(DataStream<RawRecord> raw, DataStream<RawRecord> controlRaw,
      DataStream<RawRecord> metricsFeedbackRaw, JobSettings settings, WarmupSender.Factory warmup) {
    Map<String, BatchPolicy> policies = settings.policies();
    int shards = settings.shards() > 0 ? settings.shards() : raw.getExecutionEnvironment().getParallelism();

    Map<String, int[]> warmups = new HashMap<>();
    policies.forEach((model, policy) -> warmups.put(model, policy.settings().warmupBatchSizes()));

    SingleOutputStreamOperator<RecQuery> queries = raw
        .process(new ValidateQueries(
            new QueryValidator(settings.specs(), settings.maxCandidates(), settings.requireDeadline()),
            settings.maxAge().toMillis(), settings.queryWriterSchemas()))
        .name("validate").uid("validate");
    DataStream<DeadLetter> deadLetters = queries.getSideOutput(ValidateQueries.DEAD_LETTERS);

    SingleOutputStreamOperator<ControlRecord> control = controlRaw
        .process(new DecodeControl())
        .name("decode-control").uid("decode-control");
    BroadcastStream<ControlRecord> controlBroadcast =
        control.broadcast(MicroBatcher.CONTROL_STATE, MicroBatcher.ROLLOUT_STATE);
    DataStream<ControlDecision> decisionsIn = control
        .flatMap((ControlRecord record, org.apache.flink.util.Collector<ControlDecision> out) -> {
          if (record.getDecision() != null) {
            out.collect(record.getDecision());
          }
        })
        .returns(new AvroTypeInfo<>(ControlDecision.class))
        .name("control-decisions").uid("control-decisions");

    SingleOutputStreamOperator<InferenceRequest> requests = queries
        .keyBy(query -> MicroBatcher.key(query, shards))
        .connect(controlBroadcast)
        .process(new MicroBatcher(policies, settings.split()))
        .name("micro-batcher").uid("micro-batcher");

    DataStream<PartialResult> parts = AsyncDataStream
        .unorderedWait(requests, new InferenceFunction(settings.models(), settings.workers(), warmups, settings.userSideIds()),
            settings.inferenceTimeout().toMillis(), TimeUnit.MILLISECONDS, settings.capacity())
        .name("cpu-inference").uid("cpu-inference");
    if (settings.hasAccelerator()) {
      parts = parts.union(acceleratorPath(requests
          .getSideOutput(MicroBatcher.ACCELERATOR), settings));
    }

    SingleOutputStreamOperator<RecResult> results = parts
        .keyBy(PartialResult::getQueryId)
        .process(new Reassembler(settings.abandonAfter().toMillis()))
        .name("reassemble").uid("reassemble")
        .union(queries.getSideOutput(ValidateQueries.EXPIRED))
        .process(new SeparateWarmup())
        .name("separate-warmup").uid("separate-warmup");
    if (warmup != null) {
      results.getSideOutput(SeparateWarmup.WARMUP)
          .process(new PipelineWarmup(warmup, policies, settings.warmupQueries(), settings.warmupTimeout().toMillis()))
          .name("warmup").uid("warmup").setParallelism(1).setMaxParallelism(1)
          .sinkTo(new DiscardingSink<>()).name("warmup-end").uid("warmup-end").setParallelism(1);
    }

    SingleOutputStreamOperator<MetricsSnapshot> metricsFeedback = metricsFeedbackRaw
        .process(new DecodeRecords<>(MetricsSnapshot.class))
        .name("decode-metrics-feedback").uid("decode-metrics-feedback");
    DataStream<DeadLetter> allDeadLetters = deadLetters
        .union(control.getSideOutput(ValidateQueries.DEAD_LETTERS), metricsFeedback.getSideOutput(ValidateQueries.DEAD_LETTERS));

    DataStream<MetricsSnapshot> metrics = results
        .keyBy(RecResult::getModel)
        .connect(allDeadLetters.keyBy(DeepRecPipeline::modelOf))
        .process(new WindowedMetrics(settings.metricsWindow().toMillis(), policies))
        .name("metrics").uid("metrics");

    DataStream<ControlDecision> decisions = metricsFeedback
        .keyBy(MetricsSnapshot::getModel)
        .connect(decisionsIn.keyBy(ControlDecision::getModel))
        .process(new PolicyController(policies))
        .name("controller").uid("controller");

    return new Outputs(results, metrics, allDeadLetters, decisions);
  }

  /**
   * Whole large queries on the accelerator. On GPUs the operator runs in its own slot sharing group
   * that asks for one external resource 'gpu' (fine-grained resource management places it on a GPU
   * TaskManager); simulated, it stays with the rest of the job.
   */
  private static DataStream<PartialResult> acceleratorPath(DataStream<InferenceRequest> offloaded, JobSettings settings) {
    SingleOutputStreamOperator<PartialResult> scored = AsyncDataStream
        .unorderedWait(offloaded,
            new AcceleratorFunction(settings.models(), settings.acceleratorMode(), settings.acceleratorLatency(),
                settings.userSideIds()),
            settings.inferenceTimeout().toMillis(), TimeUnit.MILLISECONDS, settings.acceleratorCapacity())
        .name("accelerator-inference").uid("accelerator-inference");
    if (settings.acceleratorMode() == AcceleratorFunction.Mode.GPU) {
      scored.slotSharingGroup(SlotSharingGroup.newBuilder("gpu")
          .setCpuCores(1.0)
          .setTaskHeapMemoryMB(512)
          .setTaskOffHeapMemoryMB(1024)
          .setExternalResource(AcceleratorFunction.GPU_RESOURCE, 1)
          .build());
    }
    return scored;
  }

  private static String modelOf(DeadLetter deadLetter) {
    return deadLetter.getModel() == null ? WindowedMetrics.UNKNOWN_MODEL : deadLetter.getModel();
  }
}

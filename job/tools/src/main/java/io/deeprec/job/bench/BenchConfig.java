package io.deeprec.job.bench;

import io.deeprec.model.LatencyTier;
import io.deeprec.model.ModelId;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What one {@code deeprec bench} run measures, and how.
 *
 * @param models models to benchmark, in order
 * @param policies policies searched per model (static first: ratios are to it)
 * @param tier latency-target tier of every model's p95 target
 * @param targetOverridesMs p95 targets (ms) replacing the tier's for some models
 * @param tableScale factor on embedding table rows, (0, 1]
 * @param workers CPU inference workers (the pool every request runs on)
 * @param sizes query-size distribution spec (see {@link io.deeprec.job.load.QuerySizes#parse})
 * @param fixedBatchSize batch size of the {@code fixed} policy and max batch of {@code timeout}
 * @param maxQueueDelayMs max queue delay of {@code timeout}
 * @param plan warm-up, windows and their length; its target is replaced per model
 * @param growth factor between rates of the search's log grid
 * @param precision relative width at which bisection stops
 * @param oracleBatchSizes fixed batch sizes swept for the oracle (empty = no oracle)
 * @param profileSecondsPerSize time budget per batch size of the offline profile
 * @param peakSeconds length of the saturated run that measures the offline peak
 * @param stepSeconds length of the online load-step run of deeprecsched (0 = none)
 * @param flinkModels models also searched through Kafka + Flink (empty = none)
 * @param flinkPolicies policies searched through Kafka + Flink
 * @param flinkParallelism parallelism of the local Flink job
 * @param output directory of results and charts
 * @param seed seed of weights, inputs, sizes and arrivals
 * @param verifyRepeats probes each of deeprecsched and the oracle at 0.95 x the oracle's LBT (0 = none)
 * @param verifyAgainst models.csv of an earlier run: skip the searches; verify and confirm against its oracles (null = none)
 * @param confirmRounds paired rounds of LBT searches of deeprecsched and the oracle's batch size after the sweep (0 = none)
 */
public record BenchConfig(
    List<ModelId> models,
    List<String> policies,
    LatencyTier tier,
    Map<ModelId, Double> targetOverridesMs,
    double tableScale,
    int workers,
    String sizes,
    int fixedBatchSize,
    long maxQueueDelayMs,
    InProcessHarness.Plan plan,
    double growth,
    double precision,
    List<Integer> oracleBatchSizes,
    double profileSecondsPerSize,
    double peakSeconds,
    double stepSeconds,
    List<ModelId> flinkModels,
    List<String> flinkPolicies,
    int flinkParallelism,
    Path output,
    long seed,
    int verifyRepeats,
    Path verifyAgainst,
    int confirmRounds) {

  /** The p95 target of {@code model}: its override, else the tier's. */
  public double targetMs(ModelId model) {
    Double override = targetOverridesMs.get(model);
    return override != null ? override : io.deeprec.model.ModelCatalog.spec(model).p95TargetMs(tier);
  }

  public BenchConfig {
    if (models.isEmpty() || policies.isEmpty()) {
      throw new IllegalArgumentException("a benchmark needs at least one model and one policy");
    }
    if (verifyRepeats < 0) {
      throw new IllegalArgumentException("verify repeats must be >= 0: " + verifyRepeats);
    }
    if (verifyAgainst != null && verifyRepeats < 1 && confirmRounds < 1) {
      throw new IllegalArgumentException("verifying against " + verifyAgainst + " needs verify repeats or confirm rounds >= 1");
    }
    if (confirmRounds < 0) {
      throw new IllegalArgumentException("confirm rounds must be >= 0: " + confirmRounds);
    }
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be >= 1: " + workers);
    }
    models = List.copyOf(models);
    targetOverridesMs = Map.copyOf(targetOverridesMs);
    policies = List.copyOf(policies);
    oracleBatchSizes = List.copyOf(oracleBatchSizes);
    flinkModels = List.copyOf(flinkModels);
    flinkPolicies = List.copyOf(flinkPolicies);
  }
}

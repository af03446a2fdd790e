package io.deeprec.job.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.deeprec.job.bench.BenchResults.ModelResult;
import io.deeprec.job.bench.BenchResults.PolicyResult;
import io.deeprec.model.LatencyTier;
import io.deeprec.model.ModelId;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark's structure on a tiny run (in-process path only, NCF at table scale 0.002, static
 * and deeprecsched, a loose 200 ms target so any machine finds a feasible rate): an LBT is found
 * for both, the ratio to static is computed, and the results files and charts are written. It
 * checks no performance figure.
 */
class BenchSmokeTest {

  @Test
  void tinyBenchFindsAnLbtPerPolicyAndWritesResultsAndCharts(@TempDir Path dir) throws Exception {
    List<String> policies = List.of("static", "deeprecsched");
    // Short feedback windows, so deeprecsched settles in seconds on this tiny run.
    InProcessHarness.Plan plan = new InProcessHarness.Plan(1.0, 0.3, 0.3, 2, 20, 1, false).withFeedbackWindowMs(100);
    BenchConfig config = new BenchConfig(List.of(ModelId.NCF), policies, LatencyTier.MEDIUM, Map.of(ModelId.NCF, 200.0),
        0.002, 2, "lognormal", 64, 2, plan, 2.0, 0.5, List.of(1024, 84), 0.05, 0.5, 2.0, List.of(), List.of(), 1, dir, 1, 1,
        null, 1);
    ByteArrayOutputStream log = new ByteArrayOutputStream();

    List<Integer> checkpoints = new java.util.ArrayList<>();
    List<ModelResult> results = new BenchRunner(config, new PrintStream(log, true, StandardCharsets.UTF_8), soFar -> {
      checkpoints.add(soFar.size());
      BenchReport.writeAll(soFar, dir, "smoke");
    }).run();
    List<Path> charts = BenchCharts.writeAll(results, policies, dir);

    assertThat(results).hasSize(1);
    assertThat(checkpoints).as("results saved after each model").containsExactly(1);
    ModelResult ncf = results.get(0);
    assertThat(ncf.targetMs()).isEqualTo(200.0);
    assertThat(ncf.peak().itemsPerSecond()).isPositive();
    for (String policy : policies) {
      PolicyResult r = ncf.inProcess().get(policy);
      assertThat(r.lbtQps()).as(policy).isPositive();
      assertThat(r.p95Ms()).as(policy).isLessThanOrEqualTo(200.0);
    }
    assertThat(ncf.ratioToStatic("deeprecsched")).isPositive().isFinite();
    assertThat(ncf.bestOracle()).isNotNull();
    assertThat(ncf.schedOverOracle()).isPositive().isFinite();
    assertThat(ncf.verification()).isNotNull();
    assertThat(ncf.verification().repeats()).isEqualTo(1);
    assertThat(ncf.verification().rateQps()).isCloseTo(0.95 * ncf.bestOracle().lbtQps(), within(1e-9));
    assertThat(ncf.verification().oracleHeld()).isBetween(0, 1);
    assertThat(ncf.confirmation()).isNotNull();
    assertThat(ncf.confirmation().schedLbtQps()).hasSize(1);
    assertThat(ncf.confirmation().oracleLbtQps()).hasSize(1);
    assertThat(ncf.confirmation().ratio()).isPositive().isFinite();
    assertThat(Files.readString(dir.resolve("models.csv"))).contains("confirm_ratio");
    assertThat(Files.readAllLines(dir.resolve("results.csv"))).first().isEqualTo(BenchReport.RESULTS_HEADER);
    assertThat(Files.readAllLines(dir.resolve("results.csv"))).hasSize(1 + policies.size() + 2);
    assertThat(Files.readString(dir.resolve("results.json"))).contains("\"deeprecsched_over_static\"");
    assertThat(dir.resolve("models.csv")).exists();
    assertThat(dir.resolve("profiles/ncf-profile.csv")).exists();
    assertThat(charts).contains(dir.resolve("lbt-by-policy.png"), dir.resolve("latency-cdf-ncf.png"),
        dir.resolve("load-step-ncf.png"));
    assertThat(charts).allMatch(f -> f.toFile().length() > 0);
    assertThat(log.toString(StandardCharsets.UTF_8)).contains("meets target")
        .contains("progress [" + "#".repeat(30) + "] 6/6 searches")
        .contains("confirm deeprecsched / " + ncf.bestOracle().policy());
  }
}

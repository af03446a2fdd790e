package io.deeprec.job.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.deeprec.model.ModelId;
import io.deeprec.sched.sim.ServingSimulator;
import io.deeprec.workload.QuerySizes;
import org.junit.jupiter.api.Test;

/**
 * The product benchmark's serving path ({@code deeprec bench}): its own embedded broker, the job on a
 * fresh local MiniCluster, the open-loop sender and a consumer of the results topic. In this package
 * because the path is the benchmark's own, not public API.
 */
class FlinkKafkaPathITCase {

  /**
   * Input: ncf (tables at scale 0.002) under aimd, an adaptive policy, probed twice at a low rate.
   * Expected: each probe answers every measured query, its end-to-end percentiles are ordered, it
   * reports the settings in force and, in words, any decision the controller made while measured, and its warm-up
   * lasted at least an adaptive policy's shortest.
   */
  @Test
  void aProbeThroughKafkaAndFlinkAnswersEveryMeasuredQuery() throws Exception {
    try (FlinkKafkaPath path = new FlinkKafkaPath();
        FlinkKafkaPath.Session session = path.open("ncf", null, "aimd", 0, 500, 0.002, 7, 1, 1, null)) {
      for (double qps : new double[] {8, 12}) {
        Probe probe = session.probe(qps, QuerySizes.fixed(20), 1, 2, 3, 11);

        // An adaptive policy warms up at least the plan's adaptive minimum, whatever the shorter warm-up asked.
        assertThat(probe.warmupS()).isGreaterThanOrEqualTo(ServingSimulator.ProbePlan.PRODUCT.minAdaptiveWarmupMs() / 1000);
        assertThat(probe.overloaded()).as("every measured query answered at %s queries/s", qps).isFalse();
        assertThat(probe.measuredQueries()).isPositive();
        assertThat(probe.p50Ms()).isPositive().isLessThanOrEqualTo(probe.p95Ms());
        assertThat(probe.p95Ms()).isLessThanOrEqualTo(probe.p99Ms());
        assertThat(probe.settingsAtEnd()).isNotNull();
        assertThat(probe.settingsAtEnd().batchSize()).isBetween(1, 1024);
        assertThat(probe.decisionsWhileMeasured()).allSatisfy(reason -> assertThat(reason).isNotBlank());
      }
    }
  }
}

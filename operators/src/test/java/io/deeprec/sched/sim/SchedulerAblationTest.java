package io.deeprec.sched.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ablation's machinery on one shape and two seeds: what the table reports is what the runs measured. */
class SchedulerAblationTest {

  @Test
  void reportsEachVariantAgainstTheOracleOnTheSameSeeds() {
    SchedulerAblation.Shape embeddingBound = SchedulerAblation.shapes().get(2);
    List<SchedulerAblation.Variant> variants = SchedulerAblation.variants().subList(0, 2);
    List<SchedulerAblation.Outcome> progress = new ArrayList<>();

    List<SchedulerAblation.Outcome> outcomes = SchedulerAblation.run(List.of(embeddingBound), variants, 2, progress::add);

    assertThat(outcomes).hasSize(2).isEqualTo(progress);
    for (SchedulerAblation.Outcome outcome : outcomes) {
      assertThat(outcome.lbtRatios()).hasSize(2);
      for (double ratio : outcome.lbtRatios()) {
        assertThat(ratio).isBetween(0.5, 1.1);
      }
      for (double seconds : outcome.settleSeconds()) {
        assertThat(seconds).isGreaterThanOrEqualTo(0);
      }
    }
    String table = SchedulerAblation.markdown(outcomes);
    assertThat(table.lines()).hasSize(4);
    assertThat(table).contains("| embedding-bound | defaults | - |").contains("| embedding-bound | " + variants.get(1).name());
  }

  @Test
  void theProductsSearchIsReportedBesideTheSteadyStateWhenAsked() {
    SchedulerAblation.Shape embeddingBound = SchedulerAblation.shapes().get(2);
    List<SchedulerAblation.Variant> variants = SchedulerAblation.variants().subList(0, 1);

    List<SchedulerAblation.Outcome> outcomes = SchedulerAblation.run(List.of(embeddingBound), variants, 2,
        SchedulerAblation.SEARCH_START_SHARE, ServingSimulator.ProbePlan.PRODUCT, o -> { });

    for (double ratio : outcomes.get(0).searchRatios()) {
      assertThat(ratio).isBetween(0.5, 1.1);
    }
    assertThat(outcomes.get(0).searchRatios()).hasSize(2);
    assertThat(outcomes.get(0).searchOracleRatios()).hasSize(2);
    for (double ratio : outcomes.get(0).searchOracleRatios()) {
      assertThat(ratio).isBetween(0.5, 1.1);
    }
    String table = SchedulerAblation.markdown(outcomes);
    assertThat(table.lines().findFirst().orElseThrow()).contains("by the product's search");
    assertThat(table.lines().skip(2).findFirst().orElseThrow().split("\\|")).hasSize(12);
  }

  /**
   * The slow shape (a typical query takes most of the target unsplit): the oracle splits, and split in equal parts
   * its queries wait for a part of about half the items where full-first makes them wait for a full request.
   */
  @Test
  void theSplitComparisonMeasuresBothRulesOnTheSameSeeds() {
    SchedulerAblation.Shape slow = SchedulerAblation.shapes().get(5);
    List<SchedulerAblation.SplitOutcome> progress = new ArrayList<>();

    List<SchedulerAblation.SplitOutcome> outcomes = SchedulerAblation.compareSplits(List.of(slow), 2, progress::add);

    assertThat(outcomes).hasSize(1).isEqualTo(progress);
    SchedulerAblation.SplitOutcome outcome = outcomes.get(0);
    assertThat(outcome.oracleFullFirst()).hasSize(2);
    assertThat(java.util.stream.DoubleStream.of(outcome.oracleFullFirst()).min().orElseThrow()).isPositive();
    assertThat(java.util.stream.DoubleStream.of(outcome.schedBalanced()).min().orElseThrow()).isPositive();
    assertThat(outcome.oracleGain()).isGreaterThan(1.0);
    String table = SchedulerAblation.splitMarkdown(outcomes);
    assertThat(table.lines()).hasSize(3);
    assertThat(table).contains("| " + slow.name() + " |");
  }

  @Test
  void aProjectionNeverPutsTheOracleBelowTheFixedSizesItSweeps() {
    Map<Integer, Double> curve = Map.of(1, 0.5, 16, 1.0, 64, 2.5, 256, 9.0, 1024, 36.0);
    SchedulerAblation.Projection projection = SchedulerAblation.project("linear", curve, 50, 4, 1);

    assertThat(projection.oracleLbt()).isPositive();
    assertThat(projection.deepRecSchedLbt()).isBetween(0.8 * projection.oracleLbt(), 1.1 * projection.oracleLbt());
    assertThat(projection.staticLbt()).isPositive();
  }

  @Test
  void quantileIsTheNearestRank() {
    double[] values = {5, 1, 4, 2, 3};
    assertThat(SchedulerAblation.quantile(values, 0.5)).isEqualTo(3);
    assertThat(SchedulerAblation.quantile(values, 0.1)).isEqualTo(1);
    assertThat(SchedulerAblation.quantile(values, 1.0)).isEqualTo(5);
  }
}

package io.deeprec.job.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The product benchmark's arithmetic: medians over rounds, the oracle, and ratios of medians. */
class ProductReportTest {

  private static ProductBench.Search search(int round, String contender, double lbt, int batch) {
    return new ProductBench.Search("rmc1", round, contender, 100, lbt, 20, 80, 120, 60, batch, 0.99, 6, 3.0, 0.6);
  }

  /**
   * Input: three rounds of static (60, 70, 65), deeprecsched (90, 80, 95), aimd (50, 55, 52), fixed-64
   * (85, 100, 90) and fixed-256 (70, 72, 71). Output: medians 65 / 90 / 52 / 90 / 71 with their
   * spread; the oracle is fixed-64 (median 90, above static's 65, the largest size); deeprecsched /
   * oracle 1.0, / static 90/65, / best
   * baseline 90/52 (timeout not measured counts as absent).
   */
  @Test
  void mediansOverRoundsAndRatiosOfMedians() {
    List<ProductBench.Search> searches = List.of(
        search(1, "static", 60, 1024), search(2, "static", 70, 1024), search(3, "static", 65, 1024),
        search(1, "deeprecsched", 90, 96), search(2, "deeprecsched", 80, 128), search(3, "deeprecsched", 95, 96),
        search(1, "aimd", 50, 40), search(2, "aimd", 55, 44), search(3, "aimd", 52, 48),
        search(1, "fixed-64", 85, 64), search(2, "fixed-64", 100, 64), search(3, "fixed-64", 90, 64),
        search(1, "fixed-256", 70, 256), search(2, "fixed-256", 72, 256), search(3, "fixed-256", 71, 256));

    List<ProductReport.Row> rows = ProductReport.rows(searches);
    List<ProductReport.Verdict> verdicts = ProductReport.verdicts(searches);

    assertThat(rows).extracting(ProductReport.Row::contender)
        .containsExactly("static", "deeprecsched", "aimd", "fixed-64", "fixed-256");
    assertThat(rows).extracting(ProductReport.Row::medianLbtQps).containsExactly(65.0, 90.0, 52.0, 90.0, 71.0);
    assertThat(rows.get(1).minLbtQps()).isEqualTo(80.0);
    assertThat(rows.get(1).maxLbtQps()).isEqualTo(95.0);
    assertThat(rows.get(1).batchSizes()).isEqualTo("96/128/96");
    assertThat(verdicts).hasSize(1);
    ProductReport.Verdict rmc1 = verdicts.get(0);
    assertThat(rmc1.oracle()).isEqualTo("fixed-64");
    assertThat(rmc1.schedOverOracle()).isCloseTo(1.0, within(1e-9));
    assertThat(rmc1.schedOverStatic()).isCloseTo(90.0 / 65, within(1e-9));
    assertThat(rmc1.schedOverBestBaseline()).isCloseTo(90.0 / 52, within(1e-9));
  }

  /** A fixed size with settings of its own (a variant searched beside it) is not a point of the oracle's sweep. */
  @Test
  void aFixedSizeWithSettingsOfItsOwnIsNotTheOracle() {
    List<ProductBench.Search> searches = List.of(
        search(1, "fixed-128", 70, 128), search(1, "fixed-128@deeprec.batch.split=balanced", 90, 128),
        search(1, "deeprecsched", 80, 128));

    ProductReport.Verdict rmc1 = ProductReport.verdicts(searches).get(0);

    assertThat(rmc1.oracle()).isEqualTo("fixed-128");
    assertThat(rmc1.schedOverOracle()).isCloseTo(80.0 / 70, within(1e-9));
  }

  /**
   * Input: three rounds of fixed-64 (100, 60, 62) and fixed-256 (70, 72, 71): fixed-64's one lucky round makes no
   * difference to its median (62), but without round 3 its median is 80 and without round 2 81 (it is chosen when
   * those rounds are held out, and measured there: 62 and 60), and without round 1 61 (fixed-256 is chosen: 70).
   * Output: the held-out oracle is the median of 62, 60, 70 = 62; with a size searched in one round only, the
   * rounds not every size has are left out.
   */
  @Test
  void theHeldOutOracleIsChosenOnTheOtherRoundsAndMeasuredOnTheOneHeldOut() {
    List<ProductBench.Search> searches = List.of(
        search(1, "fixed-64", 100, 64), search(2, "fixed-64", 60, 64), search(3, "fixed-64", 62, 64),
        search(1, "fixed-256", 70, 256), search(2, "fixed-256", 72, 256), search(3, "fixed-256", 71, 256),
        search(1, "deeprecsched", 93, 128));

    assertThat(ProductReport.heldOutOracleQps(searches, "rmc1")).isEqualTo(62.0);
    assertThat(ProductReport.verdicts(searches).get(0).schedOverHeldOutOracle()).isCloseTo(93.0 / 62, within(1e-9));
    List<ProductBench.Search> oneRoundOfStatic = new java.util.ArrayList<>(searches);
    oneRoundOfStatic.add(search(1, "static", 500, 1024));
    assertThat(ProductReport.heldOutOracleQps(oneRoundOfStatic, "rmc1")).isNaN();
  }

  /**
   * Input: static through the product in rounds 1-3 (60, 70, 65) and in the harness in rounds 1 and 2 (100, 120);
   * deeprecsched through the product only. Output: one ratio, static's, over the two rounds both searched: product
   * median 65 (of 60, 70; round 3 has no harness beside it) over harness median 110.
   */
  @Test
  void theHarnessRatioPairsRoundsAndDividesTheirMedians() {
    List<ProductBench.Search> product = List.of(search(1, "static", 60, 1024), search(2, "static", 70, 1024),
        search(3, "static", 65, 1024), search(1, "deeprecsched", 90, 96));
    List<ProductBench.Search> harness = List.of(search(1, "static", 100, 1024), search(2, "static", 120, 1024));

    List<ProductReport.HarnessRatio> ratios = ProductReport.harnessRatios(product, harness);

    assertThat(ratios).hasSize(1);
    ProductReport.HarnessRatio ratio = ratios.get(0);
    assertThat(ratio.contender()).isEqualTo("static");
    assertThat(ratio.rounds()).isEqualTo(2);
    assertThat(ratio.productMedianQps()).isEqualTo(65.0);
    assertThat(ratio.harnessMedianQps()).isEqualTo(110.0);
    assertThat(ratio.productOverHarness()).isCloseTo(65.0 / 110, within(1e-9));
  }

  /** Input: a ratio, and one with a side not searched (NaN). Output: two decimals, and "-". */
  @Test
  void aRatioWithASideNotSearchedIsADashInTheReport() {
    assertThat(ProductReport.ratioCell(90.0 / 65)).isEqualTo("1.38");
    assertThat(ProductReport.ratioCell(Double.NaN)).isEqualTo("-");
  }

  @Test
  void aHarnessThatFoundNoRateHasNoRatio() {
    List<ProductReport.HarnessRatio> ratios = ProductReport.harnessRatios(List.of(search(1, "static", 60, 1024)),
        List.of(search(1, "static", 0, 0)));

    assertThat(ratios).singleElement().extracting(ProductReport.HarnessRatio::productOverHarness)
        .satisfies(r -> assertThat((Double) r).isNaN());
  }

  @Test
  void medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
    assertThat(ProductBench.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
    assertThat(ProductBench.median(new double[0])).isNaN();
  }
}

package io.deeprec.job.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A resumed benchmark reads back the rows it wrote. */
class ProductBenchSearchTest {

  @Test
  void aSearchRowReadsBackAsTheSearchThatWroteIt() {
    ProductBench.Search search = new ProductBench.Search("wnd", 2, "fixed-128", 25, 187.25, 11.0, 22.5, 30.1, 19.0,
        128, 0.998, 7, 3.25, 0.634);

    ProductBench.Search read = ProductBench.Search.parse(search.csv());

    assertThat(read).isEqualTo(search);
    assertThat(read.sameSearch("wnd", 2, "fixed-128")).isTrue();
    assertThat(read.sameSearch("wnd", 1, "fixed-128")).isFalse();
  }

  @Test
  void aSearchThatFoundNoFeasibleRateReadsBackToo() {
    ProductBench.Search none = new ProductBench.Search("ncf", 1, "static", 5, 0, Double.NaN, Double.NaN, Double.NaN,
        Double.NaN, 0, Double.NaN, 4, 1.5, Double.NaN);

    assertThat(ProductBench.Search.parse(none.csv())).isEqualTo(none);
  }

  /** Input: a row written before the model's CPU share was a column. Output: the same search, the share NaN. */
  @Test
  void aRowWrittenBeforeTheCpuShareColumnReadsBackWithoutIt() {
    ProductBench.Search read = ProductBench.Search.parse("rmc1,1,static,100,122.64,29.0,82.0,99.0,77.1,1024,0.964,9,3.41");

    assertThat(read.lbtQps()).isEqualTo(122.64);
    assertThat(read.minutes()).isEqualTo(3.41);
    assertThat(read.modelCpuShare()).isNaN();
  }
}

package io.deeprec.job.bench;

import io.deeprec.job.bench.BenchResults.ModelResult;
import io.deeprec.job.bench.BenchResults.PolicyResult;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.renderer.xy.XYStepRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * PNG charts of a benchmark run, in the profile chart's style (white background, light grey grid,
 * headless): LBT per model and policy relative to static (the paper's headline figure), the latency
 * CDF of each policy at its LBT, and deeprecsched's batch size and p95 over an online load step.
 */
public final class BenchCharts {
  private static final Color[] PALETTE = {
      new Color(0x7f7f7f), new Color(0x1f77b4), new Color(0x2ca02c), new Color(0xff7f0e), new Color(0xd62728),
      new Color(0x9467bd), new Color(0x8c564b)};
  private static final int WIDTH = 1000;
  private static final int HEIGHT = 560;

  private BenchCharts() {}

  /** All charts of a run into {@code dir}; returns the files written. */
  public static List<Path> writeAll(List<ModelResult> results, List<String> policies, Path dir) throws IOException {
    System.setProperty("java.awt.headless", "true");
    Files.createDirectories(dir);
    List<Path> written = new java.util.ArrayList<>();
    Path lbt = dir.resolve("lbt-by-policy.png");
    lbtChart(results, policies, lbt);
    written.add(lbt);
    for (ModelResult m : results) {
      if (!m.latenciesAtLbt.isEmpty()) {
        Path cdf = dir.resolve("latency-cdf-" + m.model().cliName() + ".png");
        cdfChart(m, cdf);
        written.add(cdf);
      }
      if (m.stepRun != null && !m.stepRun.trace().isEmpty()) {
        Path step = dir.resolve("load-step-" + m.model().cliName() + ".png");
        stepChart(m, step);
        written.add(step);
      }
    }
    return written;
  }

  static void lbtChart(List<ModelResult> results, List<String> policies, Path file) throws IOException {
    Map<String, Map<String, Double>> bars = new java.util.LinkedHashMap<>();
    for (ModelResult m : results) {
      String category = m.model().cliName() + " (" + (int) m.targetMs() + " ms)";
      for (String policy : policies) {
        bars.computeIfAbsent(policy, k -> new java.util.LinkedHashMap<>()).put(category, m.ratioToStatic(policy));
      }
      PolicyResult oracle = m.bestOracle();
      PolicyResult base = m.inProcess().get("static");
      if (oracle != null && base != null && base.lbtQps() > 0) {
        bars.computeIfAbsent("oracle (best fixed)", k -> new java.util.LinkedHashMap<>())
            .put(category, oracle.lbtQps() / base.lbtQps());
      }
    }
    barChart("Latency-bounded throughput relative to static (p95 <= target)", "model (p95 target)",
        "LBT / LBT of static", bars, 1.0, file);
  }

  /**
   * A grouped bar chart: one group per category, one bar per series, with a horizontal line at
   * {@code marker} (NaN for none).
   */
  static void barChart(String title, String categoryAxis, String valueAxis,
      Map<String, Map<String, Double>> valuesBySeries, double marker, Path file) throws IOException {
    System.setProperty("java.awt.headless", "true");
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    valuesBySeries.forEach((series, byCategory) -> byCategory.forEach((category, value) ->
        data.addValue(Double.isFinite(value) ? value : 0, series, category)));
    JFreeChart chart = ChartFactory.createBarChart(title, categoryAxis, valueAxis, data, PlotOrientation.VERTICAL, true,
        false, false);
    CategoryPlot plot = chart.getCategoryPlot();
    style(plot);
    BarRenderer renderer = (BarRenderer) plot.getRenderer();
    renderer.setShadowVisible(false);
    renderer.setBarPainter(new org.jfree.chart.renderer.category.StandardBarPainter());
    for (int i = 0; i < data.getRowCount(); i++) {
      renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
    }
    if (Double.isFinite(marker)) {
      plot.addRangeMarker(new ValueMarker(marker, Color.BLACK, new BasicStroke(1f)));
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    save(chart, file);
  }

  static void cdfChart(ModelResult m, Path file) throws IOException {
    XYSeriesCollection data = new XYSeriesCollection();
    for (Map.Entry<String, double[]> e : m.latenciesAtLbt.entrySet()) {
      double[] sorted = e.getValue().clone();
      Arrays.sort(sorted);
      PolicyResult r = m.inProcess().get(e.getKey());
      XYSeries series = new XYSeries(String.format(java.util.Locale.ROOT, "%s @ %.0f q/s", e.getKey(),
          r == null ? Double.NaN : r.lbtQps()));
      int step = Math.max(1, sorted.length / 500);
      for (int i = 0; i < sorted.length; i += step) {
        series.add(sorted[i], (i + 1.0) / sorted.length);
      }
      if (sorted.length > 0) {
        series.add(sorted[sorted.length - 1], 1.0);
      }
      data.addSeries(series);
    }
    JFreeChart chart = ChartFactory.createXYLineChart(m.model().cliName() + ": query latency CDF at each policy's LBT",
        "query latency (ms)", "fraction of queries", data, PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    style(plot);
    plot.addDomainMarker(new ValueMarker(m.targetMs(), Color.BLACK, new BasicStroke(1.5f)));
    plot.addRangeMarker(new ValueMarker(0.95, Color.GRAY, new BasicStroke(1f)));
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
    for (int i = 0; i < data.getSeriesCount(); i++) {
      renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
      renderer.setSeriesStroke(i, new BasicStroke(2f));
    }
    plot.setRenderer(renderer);
    save(chart, file);
  }

  static void stepChart(ModelResult m, Path file) throws IOException {
    timelineChart(m.model().cliName() + ": deeprecsched online under a load step", m.stepRun.trace(), m.targetMs(),
        "p95 of each feedback window (ms)", file);
  }

  /**
   * Batch size and offered load (steps, left axis) and each window's p95 (points, right axis, with the target
   * dashed) over time: how a policy climbs and holds.
   */
  public static void timelineChart(String title, List<Probe.TracePoint> points, double targetMs, String p95Label, Path file)
      throws IOException {
    XYSeries batch = new XYSeries("batch size (items per request)");
    XYSeries p95 = new XYSeries("window p95 (ms)");
    XYSeries offered = new XYSeries("load (queries/s)");
    for (Probe.TracePoint point : points) {
      batch.add(point.timeS(), point.batchSize());
      p95.add(point.timeS(), point.p95Ms());
      offered.add(point.timeS(), point.offeredQps());
    }
    XYPlot plot = new XYPlot();
    plot.setDomainAxis(new NumberAxis("time (s)"));
    XYSeriesCollection left = new XYSeriesCollection(batch);
    left.addSeries(offered);
    plot.setDataset(0, left);
    plot.setRangeAxis(0, new NumberAxis("batch size / queries/s"));
    XYStepRenderer stepRenderer = new XYStepRenderer();
    stepRenderer.setSeriesPaint(0, PALETTE[1]);
    stepRenderer.setSeriesPaint(1, PALETTE[0]);
    stepRenderer.setSeriesStroke(0, new BasicStroke(2f));
    plot.setRenderer(0, stepRenderer);
    plot.setDataset(1, new XYSeriesCollection(p95));
    NumberAxis latencyAxis = new NumberAxis(p95Label);
    plot.setRangeAxis(1, latencyAxis);
    plot.mapDatasetToRangeAxis(1, 1);
    XYLineAndShapeRenderer latencyRenderer = new XYLineAndShapeRenderer(true, true);
    latencyRenderer.setSeriesPaint(0, PALETTE[4]);
    plot.setRenderer(1, latencyRenderer);
    ValueMarker target = new ValueMarker(targetMs, PALETTE[4], new BasicStroke(1f, BasicStroke.CAP_BUTT,
        BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
    plot.addRangeMarker(1, target, org.jfree.chart.ui.Layer.FOREGROUND);
    style(plot);
    save(new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true), file);
  }

  private static void style(org.jfree.chart.plot.Plot plot) {
    plot.setBackgroundPaint(Color.WHITE);
    if (plot instanceof XYPlot xy) {
      xy.setDomainGridlinePaint(Color.LIGHT_GRAY);
      xy.setRangeGridlinePaint(Color.LIGHT_GRAY);
    } else if (plot instanceof CategoryPlot category) {
      category.setRangeGridlinePaint(Color.LIGHT_GRAY);
    }
  }

  private static void save(JFreeChart chart, Path file) throws IOException {
    chart.setBackgroundPaint(Color.WHITE);
    ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
  }
}

package io.deeprec.model.profile;

import io.deeprec.model.profile.BatchProfiler.Row;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * PNG chart of a batch-size profile: latency (p50, p95, log scale) on the left axis and items/s on
 * the right, against the batch size on a log2 axis. Rendered headless (no display needed).
 */
public final class ProfileChart {
  private ProfileChart() {}

  public static void writePng(String title, List<Row> rows, Path file, int width, int height) throws IOException {
    System.setProperty("java.awt.headless", "true");
    XYSeries p50 = new XYSeries("p50 latency (ms)");
    XYSeries p95 = new XYSeries("p95 latency (ms)");
    XYSeries throughput = new XYSeries("throughput (items/s)");
    for (Row r : rows) {
      p50.add(r.batchSize(), Math.max(r.medianMs(), 1e-3));
      p95.add(r.batchSize(), Math.max(r.p95Ms(), 1e-3));
      throughput.add(r.batchSize(), r.itemsPerSecond());
    }
    LogAxis batchAxis = batchAxis();
    LogAxis latencyAxis = new LogAxis("latency per request (ms)");
    latencyAxis.setNumberFormatOverride(new java.text.DecimalFormat("0.###"));
    NumberAxis throughputAxis = new NumberAxis("items/s (one worker)");

    XYPlot plot = new XYPlot();
    plot.setDomainAxis(batchAxis);
    XYSeriesCollection latency = new XYSeriesCollection();
    latency.addSeries(p50);
    latency.addSeries(p95);
    plot.setDataset(0, latency);
    plot.setRangeAxis(0, latencyAxis);
    plot.mapDatasetToRangeAxis(0, 0);
    XYLineAndShapeRenderer latencyRenderer = new XYLineAndShapeRenderer(true, true);
    latencyRenderer.setSeriesPaint(0, new Color(0x1f77b4));
    latencyRenderer.setSeriesPaint(1, new Color(0x9ecae1));
    plot.setRenderer(0, latencyRenderer);

    plot.setDataset(1, new XYSeriesCollection(throughput));
    plot.setRangeAxis(1, throughputAxis);
    plot.mapDatasetToRangeAxis(1, 1);
    XYLineAndShapeRenderer throughputRenderer = new XYLineAndShapeRenderer(true, true);
    throughputRenderer.setSeriesPaint(0, new Color(0xd62728));
    throughputRenderer.setSeriesStroke(0, new BasicStroke(2f));
    plot.setRenderer(1, throughputRenderer);
    save(title, plot, file, width, height);
  }

  /**
   * Profiles of one model under different settings side by side (table scales, lookups): p95
   * latency per request (log scale, left) and items/s (right, dashed) against the batch size.
   */
  public static void writeComparisonPng(String title, Map<String, List<Row>> profiles, Path file, int width, int height)
      throws IOException {
    System.setProperty("java.awt.headless", "true");
    XYSeriesCollection latency = new XYSeriesCollection();
    XYSeriesCollection throughput = new XYSeriesCollection();
    for (Map.Entry<String, List<Row>> e : profiles.entrySet()) {
      XYSeries p95 = new XYSeries("p95 ms, " + e.getKey());
      XYSeries items = new XYSeries("items/s, " + e.getKey());
      for (Row r : e.getValue()) {
        p95.add(r.batchSize(), Math.max(r.p95Ms(), 1e-3));
        items.add(r.batchSize(), r.itemsPerSecond());
      }
      latency.addSeries(p95);
      throughput.addSeries(items);
    }
    LogAxis batchAxis = batchAxis();
    LogAxis latencyAxis = new LogAxis("p95 latency per request (ms)");
    latencyAxis.setNumberFormatOverride(new java.text.DecimalFormat("0.###"));
    XYPlot plot = new XYPlot();
    plot.setDomainAxis(batchAxis);
    plot.setDataset(0, latency);
    plot.setRangeAxis(0, latencyAxis);
    plot.mapDatasetToRangeAxis(0, 0);
    plot.setDataset(1, throughput);
    plot.setRangeAxis(1, new NumberAxis("items/s (one worker)"));
    plot.mapDatasetToRangeAxis(1, 1);
    XYLineAndShapeRenderer latencyRenderer = new XYLineAndShapeRenderer(true, true);
    XYLineAndShapeRenderer throughputRenderer = new XYLineAndShapeRenderer(true, false);
    for (int i = 0; i < profiles.size(); i++) {
      Color color = PALETTE[i % PALETTE.length];
      latencyRenderer.setSeriesPaint(i, color);
      latencyRenderer.setSeriesStroke(i, new BasicStroke(2f));
      throughputRenderer.setSeriesPaint(i, color);
      throughputRenderer.setSeriesStroke(i, new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
          new float[] {6f, 4f}, 0f));
    }
    plot.setRenderer(0, latencyRenderer);
    plot.setRenderer(1, throughputRenderer);
    save(title, plot, file, width, height);
  }

  /** Batch sizes on a log2 axis, ticks at the powers of two. */
  private static LogAxis batchAxis() {
    LogAxis axis = new LogAxis("batch size (items per request)");
    axis.setBase(2);
    axis.setTickUnit(new NumberTickUnit(1));
    axis.setNumberFormatOverride(new java.text.DecimalFormat("0"));
    return axis;
  }

  /** White plot with light grid lines, written as a PNG (parent directories created). */
  private static void save(String title, XYPlot plot, Path file, int width, int height) throws IOException {
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    ChartUtils.saveChartAsPNG(file.toFile(), chart, width, height);
  }

  private static final Color[] PALETTE = {
    new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd)
  };
}

package dev.tickroom.loadtest;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The per-second figures of a run, written as CSV and as a PNG chart. */
final class Series {
  /**
   * Figures of one reporting interval (about a second) ending {@code t} seconds after the start. Rates and
   * percentiles are for that interval alone; errors and disconnects are running totals.
   */
  record Sample(double t, String phase, int connected, double deliveredPerS, Double latP50Ms, Double latP99Ms,
      Double latMaxMs, Double tickIntervalP99Ms, long errors, long disconnects) {}

  static final String CSV_HEADER = "t_s,phase,connected,delivered_per_s,lat_p50_ms,lat_p99_ms,lat_max_ms,"
      + "tick_interval_p99_ms,errors,disconnects";

  private final List<Sample> samples = new ArrayList<>();

  void add(Sample s) {
    samples.add(s);
  }

  List<Sample> samples() {
    return samples;
  }

  void writeCsv(Path file) throws IOException {
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      w.write(CSV_HEADER);
      w.write('\n');
      for (Sample s : samples) {
        w.write(String.join(",", LoadResult.num(s.t(), 3), s.phase(), Integer.toString(s.connected()),
            LoadResult.num(s.deliveredPerS(), 1), cell(s.latP50Ms()), cell(s.latP99Ms()), cell(s.latMaxMs()),
            cell(s.tickIntervalP99Ms()), Long.toString(s.errors()), Long.toString(s.disconnects())));
        w.write('\n');
      }
    }
  }

  private static String cell(Double v) {
    return v == null ? "" : LoadResult.num(v, 3);
  }

  /**
   * Draws delivered/s (left axis) and latency p99 (right axis) over time, with the measured window marked.
   */
  void writeChart(Path file, String title, String deliveredLabel, double windowStartS, double windowEndS)
      throws IOException {
    if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    XYSeries delivered = new XYSeries(deliveredLabel);
    XYSeries p99 = new XYSeries("latency p99 (ms)");
    for (Sample s : samples) {
      delivered.add(s.t(), s.deliveredPerS());
      if (s.latP99Ms() != null) p99.add(s.t(), s.latP99Ms());
    }
    NumberAxis time = new NumberAxis("seconds since start");
    NumberAxis rate = new NumberAxis(deliveredLabel);
    NumberAxis latency = new NumberAxis("latency p99 (ms)");
    XYLineAndShapeRenderer rateLine = new XYLineAndShapeRenderer(true, false);
    rateLine.setSeriesPaint(0, new Color(0x1f77b4));
    rateLine.setSeriesStroke(0, new BasicStroke(2f));
    XYLineAndShapeRenderer latencyLine = new XYLineAndShapeRenderer(true, false);
    latencyLine.setSeriesPaint(0, new Color(0xd62728));
    latencyLine.setSeriesStroke(0, new BasicStroke(2f));

    XYPlot plot = new XYPlot(new XYSeriesCollection(delivered), time, rate, rateLine);
    plot.setRangeAxis(1, latency);
    plot.setDataset(1, new XYSeriesCollection(p99));
    plot.mapDatasetToRangeAxis(1, 1);
    plot.setRenderer(1, latencyLine);
    BasicStroke dashed = new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f,
        new float[] {4f, 4f}, 0f);
    ValueMarker start = new ValueMarker(windowStartS, Color.GRAY, dashed);
    start.setLabel("measured window");
    start.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
    start.setLabelTextAnchor(TextAnchor.TOP_LEFT);
    plot.addDomainMarker(start);
    plot.addDomainMarker(new ValueMarker(windowEndS, Color.GRAY, dashed));
    JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    ChartUtils.saveChartAsPNG(file.toFile(), chart, 1200, 600);
  }
}

package dev.r1j.recipes.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws PNG line charts from a {@code metrics.jsonl} with XChart: one file per metric ({@code reward_mean.png}, …),
 * x = step, one series per stage. Works headless (no display needed).
 *
 * <pre>{@code
 * List<Path> pngs = Plots.draw(runDir.resolve("metrics.jsonl"), runDir.resolve("plots"));
 * }</pre>
 */
public final class Plots {
    /** The metrics plotted by default, when present. */
    public static final List<String> DEFAULT_METRICS = List.of("reward_mean", "accuracy", "completion_len_mean", "kl", "loss");

    static {
        // AWT must learn it is headless before its first class loads, or a machine without X fails to draw.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private Plots() {}

    public static List<Path> draw(Path metricsJsonl, Path outDir) {
        return draw(metricsJsonl, outDir, DEFAULT_METRICS);
    }

    /**
     * Writes {@code <outDir>/<metric>.png} for each metric that has at least one finite value; returns the files
     * written. Lines without the metric (or with {@code null}) are skipped.
     */
    public static List<Path> draw(Path metricsJsonl, Path outDir, List<String> metrics) {
        List<ObjectNode> lines = MetricsLog.read(metricsJsonl);
        List<Path> written = new ArrayList<>();
        for (String metric : metrics) {
            Map<String, List<double[]>> series = new LinkedHashMap<>();
            for (ObjectNode line : lines) {
                JsonNode v = line.get(metric);
                JsonNode step = line.get("step");
                if (v == null || !v.isNumber() || step == null || !step.isNumber() || !Double.isFinite(v.doubleValue())) {
                    continue;
                }
                String stage = line.path("stage").asText("run");
                series.computeIfAbsent(stage, k -> new ArrayList<>()).add(new double[] {step.doubleValue(), v.doubleValue()});
            }
            if (series.isEmpty()) {
                continue;
            }
            XYChart chart = new XYChartBuilder().width(800).height(500).title(metric).xAxisTitle("step").yAxisTitle(metric).build();
            chart.getStyler().setLegendVisible(series.size() > 1);
            for (Map.Entry<String, List<double[]>> e : series.entrySet()) {
                List<double[]> pts = e.getValue();
                double[] x = new double[pts.size()];
                double[] y = new double[pts.size()];
                for (int i = 0; i < pts.size(); i++) {
                    x[i] = pts.get(i)[0];
                    y[i] = pts.get(i)[1];
                }
                chart.addSeries(e.getKey(), x, y).setMarker(pts.size() > 30 ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
            }
            Path png = outDir.resolve(metric + ".png");
            try {
                Files.createDirectories(outDir);
                try (var os = Files.newOutputStream(png)) {
                    BitmapEncoder.saveBitmap(chart, os, BitmapEncoder.BitmapFormat.PNG);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + png + ": " + e.getMessage(), e);
            }
            written.add(png);
        }
        return written;
    }
}

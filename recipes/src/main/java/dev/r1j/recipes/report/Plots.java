package dev.r1j.recipes.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws one PNG page per stage of a run from its {@code metrics.jsonl} with XChart ({@code plots/NN-stage.png}): a
 * grid of the stage's metrics against the stage's own step, each the raw points with a smoothed line over them
 * ({@link Smoothing}), a title and the unit on the axis; on the reward, accuracy and length plots the held-out
 * evaluations just before the stage (at step 0) and just after it (at its last step), read from the eval stages'
 * {@code eval.json}. Stages never share an axis: 2,000 pretraining steps do not squash 100 GRPO steps. Works headless.
 *
 * <pre>{@code
 * List<Path> pages = Plots.draw(runDir.resolve("metrics.jsonl"), runDir.resolve("plots"));
 * }</pre>
 */
public final class Plots {
    /** The metrics plotted by default, when a stage logged them. */
    public static final List<String> DEFAULT_METRICS = List.of("reward_mean", "accuracy", "completion_len_mean", "kl", "loss");
    static final int CHART_WIDTH = 560;
    static final int CHART_HEIGHT = 360;
    private static final Color RAW = new Color(120, 160, 210);
    private static final Color SMOOTH = new Color(20, 70, 160);
    private static final Color EVAL = new Color(215, 80, 20);

    static {
        // AWT must learn it is headless before its first class loads, or a machine without X fails to draw.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private Plots() {}

    /** One stage's logged series: metric → (step, value) points in file order. */
    public record StageSeries(int index, String stage, Map<String, List<double[]>> metrics) {
        /** The page's file name, {@code NN-stage.png}. */
        public String fileName() {
            return String.format("%02d-%s.png", index, stage);
        }

        /** The last step logged, 0 when none. */
        public double lastStep() {
            double last = 0;
            for (List<double[]> pts : metrics.values()) {
                for (double[] p : pts) {
                    last = Math.max(last, p[0]);
                }
            }
            return last;
        }
    }

    /** The default metrics plus, for a mixture of experts, the expert-load and routing metrics the run logged. */
    public static List<Path> draw(Path metricsJsonl, Path outDir) {
        return draw(metricsJsonl, outDir, withExpertMetrics(MetricsLog.read(metricsJsonl)));
    }

    /**
     * {@link #DEFAULT_METRICS} followed by every {@code moe/layerL/load_max_over_mean} and {@code moe/layerL/load_entropy}
     * (pretraining a mixture of experts) and {@code routing/mismatch_frac} (GRPO on one) that {@code lines} carry,
     * by layer.
     */
    static List<String> withExpertMetrics(List<ObjectNode> lines) {
        java.util.TreeSet<Integer> layers = new java.util.TreeSet<>();
        java.util.Set<String> present = new java.util.HashSet<>();
        java.util.regex.Pattern moe = java.util.regex.Pattern.compile("moe/layer(\\d+)/(load_max_over_mean|load_entropy)");
        for (ObjectNode line : lines) {
            line.fieldNames().forEachRemaining(k -> {
                java.util.regex.Matcher m = moe.matcher(k);
                if (m.matches()) layers.add(Integer.parseInt(m.group(1)));
                present.add(k);
            });
        }
        List<String> keys = new ArrayList<>(DEFAULT_METRICS);
        for (int layer : layers) { // by layer, the overload before the entropy
            for (String kind : List.of("load_max_over_mean", "load_entropy")) {
                String k = "moe/layer" + layer + "/" + kind;
                if (present.contains(k)) keys.add(k);
            }
        }
        if (present.contains("routing/mismatch_frac")) keys.add("routing/mismatch_frac");
        return keys;
    }

    /**
     * Writes {@code <outDir>/NN-stage.png} for each stage that logged at least one of {@code metrics} with a finite
     * value; returns the files written, in stage order. The evaluations come from the {@code stages} directory
     * beside {@code metricsJsonl}.
     */
    public static List<Path> draw(Path metricsJsonl, Path outDir, List<String> metrics) {
        List<EvalPoint> evals = metricsJsonl.getParent() == null ? List.of() : EvalPoint.read(metricsJsonl.getParent());
        List<Path> written = new ArrayList<>();
        for (StageSeries s : stages(MetricsLog.read(metricsJsonl), metrics)) {
            List<XYChart> charts = new ArrayList<>();
            for (Map.Entry<String, List<double[]>> m : s.metrics().entrySet()) {
                charts.add(chart(s, m.getKey(), m.getValue(), evals));
            }
            Path png = outDir.resolve(s.fileName());
            int cols = charts.size() == 1 ? 1 : 2;
            int rows = (charts.size() + cols - 1) / cols;
            while (charts.size() < rows * cols) {
                charts.add(blank()); // XChart's grid wants every cell filled
            }
            try {
                Files.createDirectories(outDir);
                try (var os = Files.newOutputStream(png)) {
                    BitmapEncoder.saveBitmap(charts, rows, cols, os, BitmapEncoder.BitmapFormat.PNG);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + png + ": " + e.getMessage(), e);
            }
            written.add(png);
        }
        return written;
    }

    /** The stages of {@code lines} in order of first appearance, each with the metrics it logged (finite values). */
    public static List<StageSeries> stages(List<ObjectNode> lines, List<String> metrics) {
        Map<String, StageSeries> byStage = new LinkedHashMap<>();
        for (ObjectNode line : lines) {
            JsonNode step = line.get("step");
            if (step == null || !step.isNumber()) {
                continue;
            }
            String stage = line.path("stage").asText("run");
            int index = line.path("stage_index").asInt(byStage.size());
            StageSeries s = byStage.computeIfAbsent(index + "/" + stage,
                    k -> new StageSeries(index, stage, new LinkedHashMap<>()));
            for (String metric : metrics) {
                JsonNode v = line.get(metric);
                if (v != null && v.isNumber() && Double.isFinite(v.doubleValue())) {
                    s.metrics().computeIfAbsent(metric, k -> new ArrayList<>()).add(new double[] {step.doubleValue(), v.doubleValue()});
                }
            }
        }
        // keep the metrics' order as asked, and only stages with something to draw
        List<StageSeries> out = new ArrayList<>();
        for (StageSeries s : byStage.values()) {
            Map<String, List<double[]>> ordered = new LinkedHashMap<>();
            for (String metric : metrics) {
                if (s.metrics().containsKey(metric)) {
                    ordered.put(metric, s.metrics().get(metric));
                }
            }
            if (!ordered.isEmpty()) {
                out.add(new StageSeries(s.index(), s.stage(), ordered));
            }
        }
        return out;
    }

    /** The evaluation just before stage {@code index} (at {@code index - 1}) or just after it ({@code index + 1}). */
    static Optional<EvalPoint> neighbour(List<EvalPoint> evals, int stageIndex) {
        return evals.stream().filter(e -> e.stageIndex() == stageIndex).findFirst();
    }

    private static XYChart chart(StageSeries s, String metric, List<double[]> pts, List<EvalPoint> evals) {
        MetricInfo info = MetricInfo.of(metric);
        XYChart chart = new XYChartBuilder().width(CHART_WIDTH).height(CHART_HEIGHT)
                .title(info.title() + " (" + s.stage() + ")").xAxisTitle(s.stage() + " step").yAxisTitle(info.axisTitle())
                .build();
        chart.getStyler().setLegendVisible(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setXAxisTickMarkSpacingHint(70);
        chart.getStyler().setMarkerSize(4);
        chart.getStyler().setChartTitleFont(chart.getStyler().getChartTitleFont().deriveFont(13f));
        double[] x = new double[pts.size()];
        double[] y = new double[pts.size()];
        for (int i = 0; i < pts.size(); i++) {
            x[i] = pts.get(i)[0];
            y[i] = pts.get(i)[1];
        }
        XYSeries raw = chart.addSeries("raw", x, y);
        raw.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        raw.setMarker(SeriesMarkers.CIRCLE);
        raw.setMarkerColor(RAW);
        double weight = Smoothing.weightFor(pts.size());
        if (weight > 0) {
            XYSeries smooth = chart.addSeries(String.format("smoothed (EMA %.2f)", weight), x, Smoothing.ema(y, weight));
            smooth.setMarker(SeriesMarkers.NONE);
            smooth.setLineColor(SMOOTH);
            smooth.setLineWidth(2.5f);
        }
        List<double[]> evalXy = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        neighbour(evals, s.index() - 1).filter(e -> e.values().containsKey(metric)).ifPresent(e -> {
            evalXy.add(new double[] {0, e.values().get(metric)});
            labels.add(e.label());
        });
        neighbour(evals, s.index() + 1).filter(e -> e.values().containsKey(metric)).ifPresent(e -> {
            evalXy.add(new double[] {s.lastStep(), e.values().get(metric)});
            labels.add(e.label());
        });
        if (!evalXy.isEmpty()) {
            XYSeries ev = chart.addSeries("held-out eval: " + String.join(", ", labels),
                    evalXy.stream().mapToDouble(p -> p[0]).toArray(), evalXy.stream().mapToDouble(p -> p[1]).toArray());
            ev.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            ev.setLineStyle(SeriesLines.DASH_DASH);
            ev.setMarker(SeriesMarkers.DIAMOND);
            ev.setMarkerColor(EVAL);
            ev.setLineColor(EVAL);
        }
        return chart;
    }

    private static XYChart blank() {
        XYChart c = new XYChartBuilder().width(CHART_WIDTH).height(CHART_HEIGHT).build();
        c.getStyler().setPlotBackgroundColor(c.getStyler().getChartBackgroundColor());
        c.getStyler().setChartTitleVisible(false);
        c.getStyler().setLegendVisible(false);
        c.getStyler().setAxisTicksVisible(false);
        c.getStyler().setPlotGridLinesVisible(false);
        c.getStyler().setPlotBorderVisible(false);
        c.getStyler().setAxisTitlesVisible(false);
        c.addSeries(" ", new double[] {0}, new double[] {0}).setMarker(SeriesMarkers.NONE);
        return c;
    }
}

package dev.r1j.recipes.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A run's {@code report.html}: the before/after table of the evaluations, then one section per stage in recipe
 * order: a training stage's plot page ({@link Plots}), the first, last and smoothed last value of each metric and a
 * few completions of its last logged step ({@code completions.jsonl}); an evaluation's figures and a few of its
 * completions ({@code eval.json}). One self-contained page beside {@code plots/}; model output is escaped.
 *
 * <pre>{@code
 * Path html = RunReport.write(runDir);   // after Plots.draw(runDir.resolve("metrics.jsonl"), runDir.resolve("plots"))
 * }</pre>
 */
public final class RunReport {
    public static final String FILE = "report.html";
    static final int SAMPLES = 4;
    private static final ObjectMapper JSON = new ObjectMapper();

    private RunReport() {}

    /** Writes {@code runDir/report.html} from what the run directory holds and returns its path. */
    public static Path write(Path runDir) {
        Path metrics = runDir.resolve("metrics.jsonl");
        List<ObjectNode> lines = Files.exists(metrics) ? MetricsLog.read(metrics) : List.of();
        List<String> metricNames = new ArrayList<>(Plots.DEFAULT_METRICS);
        StringBuilder h = new StringBuilder();
        String name = runDir.getFileName() == null ? runDir.toString() : runDir.getFileName().toString();
        h.append("<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>R1J run ").append(Html.escape(name))
                .append("</title>\n<style>body{font-family:sans-serif;max-width:1200px;margin:2em auto;color:#222}"
                        + "table{border-collapse:collapse;margin:0.5em 0}td,th{border:1px solid #ccc;padding:3px 8px}"
                        + "td.num{text-align:right;font-variant-numeric:tabular-nums}pre{white-space:pre-wrap;margin:0}"
                        + "img{max-width:100%}</style></head><body>\n");
        h.append("<h1>R1J run ").append(Html.escape(name)).append("</h1>\n");
        Map<String, Map<String, Double>> results = results(runDir.resolve("results.json"));
        if (!results.isEmpty()) {
            h.append("<h2>Before and after</h2>\n").append(ResultsTable.compare(results).toHtml());
        }
        Map<Integer, String> sections = new TreeMap<>();
        for (Plots.StageSeries s : Plots.stages(lines, metricNames)) {
            sections.put(s.index(), training(runDir, s));
        }
        for (EvalPoint e : EvalPoint.read(runDir)) {
            sections.put(e.stageIndex(), evaluation(e));
        }
        sections.values().forEach(h::append);
        h.append("</body></html>\n");
        Path file = runDir.resolve(FILE);
        try {
            Files.writeString(file, h);
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot write " + file + ": " + ex.getMessage(), ex);
        }
        return file;
    }

    private static String training(Path runDir, Plots.StageSeries s) {
        StringBuilder h = new StringBuilder();
        h.append(String.format("<h2>Stage %d: %s</h2>\n", s.index() + 1, Html.escape(s.stage())));
        if (Files.exists(runDir.resolve("plots").resolve(s.fileName()))) {
            h.append("<img src=\"plots/").append(Html.escape(s.fileName())).append("\" alt=\"")
                    .append(Html.escape(s.stage())).append(" metrics\">\n");
        }
        ResultsTable t = new ResultsTable("metric", "first", "last", "smoothed last", "steps");
        for (Map.Entry<String, List<double[]>> m : s.metrics().entrySet()) {
            double[] y = m.getValue().stream().mapToDouble(p -> p[1]).toArray();
            double[] smooth = Smoothing.ema(y, Smoothing.weightFor(y.length));
            t.row(MetricInfo.of(m.getKey()).title() + (MetricInfo.of(m.getKey()).unit().isEmpty() ? ""
                    : " (" + MetricInfo.of(m.getKey()).unit() + ")"), y[0], y[y.length - 1], smooth[y.length - 1], y.length);
        }
        h.append(t.toHtml());
        List<JsonNode> samples = lastStepCompletions(runDir.resolve("stages")
                .resolve(String.format("%02d-%s", s.index(), s.stage())).resolve("completions.jsonl"));
        if (!samples.isEmpty()) {
            h.append("<h3>Completions of step ").append(samples.get(0).path("step").asInt()).append("</h3>\n");
            h.append(samplesTable(samples, "reward"));
        }
        return h.toString();
    }

    private static String evaluation(EvalPoint e) {
        StringBuilder h = new StringBuilder();
        h.append(String.format("<h2>Stage %d: evaluation '%s'</h2>\n", e.stageIndex() + 1, Html.escape(e.label())));
        ResultsTable t = new ResultsTable("figure", "value");
        e.eval().fields().forEachRemaining(f -> {
            if (f.getValue().isNumber()) {
                t.row(f.getKey(), f.getValue().asDouble());
            }
        });
        h.append(t.toHtml());
        List<JsonNode> samples = new ArrayList<>();
        e.eval().path("completions").forEach(c -> {
            if (samples.size() < SAMPLES) samples.add(c);
        });
        if (!samples.isEmpty()) {
            h.append("<h3>Completions</h3>\n").append(samplesTable(samples, "correct"));
        }
        return h.toString();
    }

    private static String samplesTable(List<JsonNode> samples, String verdictField) {
        StringBuilder h = new StringBuilder("<table>\n<tr><th>prompt</th><th>completion</th><th>")
                .append(verdictField).append("</th></tr>\n");
        for (JsonNode c : samples) {
            JsonNode v = c.path(verdictField);
            String verdict = v.isNumber() ? String.format(Locale.ROOT, "%.3f", v.asDouble()) : v.asText();
            h.append("<tr><td><pre>").append(Html.escape(c.path("prompt").asText())).append("</pre></td><td><pre>")
                    .append(Html.escape(c.path("completion").asText())).append("</pre></td><td class=\"num\">")
                    .append(Html.escape(verdict)).append("</td></tr>\n");
        }
        return h.append("</table>\n").toString();
    }

    /** Up to {@link #SAMPLES} completions of the last step in a stage's {@code completions.jsonl}. */
    static List<JsonNode> lastStepCompletions(Path file) {
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        List<JsonNode> rows = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file)) {
                if (!line.isBlank()) rows.add(JSON.readTree(line));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        int last = rows.stream().mapToInt(r -> r.path("step").asInt()).max().orElse(0);
        return rows.stream().filter(r -> r.path("step").asInt() == last).limit(SAMPLES).toList();
    }

    private static Map<String, Map<String, Double>> results(Path file) {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        if (!Files.isRegularFile(file)) {
            return out;
        }
        try {
            JSON.readTree(file.toFile()).fields().forEachRemaining(e -> {
                Map<String, Double> m = new LinkedHashMap<>();
                e.getValue().fields().forEachRemaining(f -> {
                    // the headline figures; the intervals stay in eval.json
                    if (f.getValue().isNumber() && !f.getKey().contains("_ci95")) m.put(f.getKey(), f.getValue().asDouble());
                });
                out.put(e.getKey(), m);
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return out;
    }
}

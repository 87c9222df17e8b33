package dev.r1j.recipes.stages.grpo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.r1j.core.grpo.GrpoStepMetrics;
import dev.r1j.core.grpo.ScoredCompletion;
import dev.r1j.verifiers.RewardStats;
import dev.r1j.verifiers.monitor.HackingMonitor;
import dev.r1j.verifiers.monitor.MonitorConfig;
import dev.r1j.verifiers.monitor.StepStats;
import java.io.PrintWriter;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Feeds the GRPO stage's steps to a {@link HackingMonitor}: each step's completions, accuracy and per-reward means go
 * in; warnings are printed (one line each, {@code warning: …}) and the monitor's numbers come back as
 * {@code metrics.jsonl} fields: {@code monitor_warnings} (the count), {@code monitor_warning_kinds} (when there are
 * any) and the {@code monitor/…} fields. A resumed run first {@link #replay}s the earlier rows of the metrics file, so
 * the monitor's baseline — and thus every later row — is the same as in an uninterrupted run.
 *
 * <pre>{@code
 * GrpoMonitor monitor = new GrpoMonitor(MonitorConfig.defaults());
 * row.putAll(monitor.observe(metrics, trainer.lastCompletions(), ctx.out()));
 * }</pre>
 */
final class GrpoMonitor {
    static final String WARNINGS = "monitor_warnings";
    static final String KINDS = "monitor_warning_kinds";
    private static final String REWARD_PREFIX = "reward/";
    private static final String MEAN_SUFFIX = "_mean";

    private final HackingMonitor monitor;

    GrpoMonitor(MonitorConfig config) {
        this.monitor = new HackingMonitor(config);
    }

    /** The monitor's input for one step: the step's completions (texts and token counts) and its metrics. */
    static StepStats stats(GrpoStepMetrics m, List<ScoredCompletion> completions) {
        List<String> texts = completions.stream().map(s -> s.completion().text()).toList();
        int[] lengths = completions.stream().mapToInt(s -> s.completion().tokenIds().length).toArray();
        Map<String, Double> means = new LinkedHashMap<>();
        for (Map.Entry<String, RewardStats.Summary> e : m.perReward().entrySet()) means.put(e.getKey(), e.getValue().mean());
        return StepStats.of(m.step(), texts, lengths, m.accuracy(), means);
    }

    /** Observes one step; prints its warnings to {@code out} and returns the fields for the metrics row. */
    Map<String, Object> observe(GrpoStepMetrics m, List<ScoredCompletion> completions, PrintWriter out) {
        HackingMonitor.MonitorReport r = monitor.observe(stats(m, completions));
        Map<String, Object> row = new LinkedHashMap<>();
        row.put(WARNINGS, r.warnings().size());
        if (!r.warnings().isEmpty()) {
            row.put(KINDS, r.warnings().stream().map(HackingMonitor.Warning::kind).toList());
            for (HackingMonitor.Warning w : r.warnings()) out.println("warning: " + w.message() + " [" + w.kind() + "]");
        }
        r.metrics().forEach((k, v) -> {
            if (!k.equals("monitor/warnings")) row.put(k, v);
        });
        return row;
    }

    /**
     * Feeds the monitor the steps of earlier metrics rows (this stage's, in step order) without reporting: the
     * length, accuracy, {@code reward/<label>_mean} and {@code monitor/…_share} fields that {@link #observe} logged.
     * A row without them (written before the monitor existed) is skipped.
     *
     * @return the number of rows skipped
     */
    int replay(List<ObjectNode> rows) {
        int skipped = 0;
        for (ObjectNode row : rows) {
            if (!(isNumber(row, "completion_len_mean") && isNumber(row, "monitor/empty_share")
                    && isNumber(row, "monitor/answer_only_share") && isNumber(row, "accuracy"))) {
                skipped++;
                continue;
            }
            Map<String, Double> means = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = row.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String k = e.getKey();
                if (k.startsWith(REWARD_PREFIX) && k.endsWith(MEAN_SUFFIX) && e.getValue().isNumber()) {
                    means.put(k.substring(REWARD_PREFIX.length(), k.length() - MEAN_SUFFIX.length()), e.getValue().asDouble());
                }
            }
            monitor.observe(new StepStats(row.path("step").asInt(), row.get("completion_len_mean").asDouble(),
                    row.get("monitor/empty_share").asDouble(), row.get("monitor/answer_only_share").asDouble(),
                    row.get("accuracy").asDouble(), means));
        }
        return skipped;
    }

    private static boolean isNumber(ObjectNode row, String key) {
        JsonNode n = row.get(key);
        return n != null && n.isNumber();
    }
}

package dev.r1j.recipes.stages.grpo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.r1j.core.grpo.GrpoStepMetrics;
import dev.r1j.core.grpo.ScoredCompletion;
import dev.r1j.core.sampling.Completion;
import dev.r1j.core.sampling.FinishReason;
import dev.r1j.core.sampling.Prompt;
import dev.r1j.recipes.report.MetricsLog;
import dev.r1j.verifiers.RewardStats;
import dev.r1j.verifiers.Verdict;
import dev.r1j.verifiers.monitor.MonitorConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A scripted sequence of GRPO steps through the stage's hacking monitor: quiet steps, then a length jump. */
class GrpoMonitorTest {
    private static final String REASONED = "<think>three plus two is five, carry none</think><answer>5</answer>";
    private static final String ANSWER_ONLY = "<think></think><answer>5</answer>";

    private static ScoredCompletion completion(String text, int tokens) {
        return new ScoredCompletion(new Prompt("3+2", Map.of("answer", "5")), new int[] {1},
                new Completion(new int[tokens], text, null, FinishReason.EOS), Verdict.of(1.0, ""), 1.0, Double.NaN);
    }

    private static GrpoStepMetrics metrics(int step, List<ScoredCompletion> cs, double accuracy, double mathMean) {
        double len = cs.stream().mapToInt(c -> c.completion().tokenIds().length).average().orElseThrow();
        return new GrpoStepMetrics(step, mathMean, 0, accuracy, 0.1, Double.NaN, 0, 0, 1, 1, len, 0, 1e-3, 1, 1, 1,
                (long) (len * cs.size()), 0, 0, 0, 0, step,
                Map.of("math", new RewardStats.Summary(cs.size(), mathMean, 0, 0, 1)), 0.0);
    }

    private record Step(GrpoStepMetrics metrics, List<ScoredCompletion> completions) {}

    /** Steps 1-3: four reasoned 10-token completions; step 4: 20 tokens on average, half of them answer-only. */
    private static List<Step> script() {
        List<Step> steps = new ArrayList<>();
        for (int s = 1; s <= 3; s++) {
            List<ScoredCompletion> cs = List.of(completion(REASONED, 10), completion(REASONED, 10),
                    completion(REASONED, 10), completion(REASONED, 10));
            steps.add(new Step(metrics(s, cs, 0.5, 0.5), cs));
        }
        List<ScoredCompletion> cs = List.of(completion(REASONED, 30), completion(REASONED, 30),
                completion(ANSWER_ONLY, 10), completion(ANSWER_ONLY, 10));
        steps.add(new Step(metrics(4, cs, 0.5, 0.5), cs));
        return steps;
    }

    @Test
    void quietStepsThenALengthJumpAndAnswerOnlySpreadAreReportedAndLogged(@TempDir Path dir) {
        GrpoMonitor monitor = new GrpoMonitor(MonitorConfig.defaults());
        StringWriter out = new StringWriter();
        List<Map<String, Object>> rows = new ArrayList<>();
        try (MetricsLog log = MetricsLog.open(dir.resolve("metrics.jsonl"), "grpo", 2)) {
            for (Step s : script()) {
                Map<String, Object> row = new LinkedHashMap<>(s.metrics().toJson());
                row.remove("step");
                row.remove("stage");
                row.putAll(monitor.observe(s.metrics(), s.completions(), new PrintWriter(out, true)));
                rows.add(row);
                log.log(s.metrics().step(), row);
            }
        }
        for (int i = 0; i < 3; i++) {
            assertEquals(0, rows.get(i).get(GrpoMonitor.WARNINGS), "step " + (i + 1));
            assertEquals(0.0, rows.get(i).get("monitor/answer_only_share"));
        }
        Map<String, Object> last = rows.get(3);
        assertEquals(2, last.get(GrpoMonitor.WARNINGS));
        assertEquals(List.of("length_jump", "answer_only_spread"), last.get(GrpoMonitor.KINDS));
        assertEquals(2.0, (double) last.get("monitor/len_ratio"), 1e-12, "20 tokens against a baseline of 10");
        assertEquals(0.5, (double) last.get("monitor/answer_only_share"), 0.0);
        assertEquals(0.5, (double) last.get("monitor/answer_only_share_delta"), 1e-12);
        assertEquals(0.0, (double) last.get("monitor/reward_delta/math"), 1e-12);
        String printed = out.toString();
        assertEquals(2, printed.lines().count(), printed);
        assertTrue(printed.contains("warning: step 4: mean completion length 20.0 is 2.00x the mean of the last 3 steps "
                + "(10.0) [length_jump]"), printed);
        assertTrue(printed.contains("50.0% of completions are answer-only, up from 0.0%"), printed);

        // A resumed run replays the rows of steps 1-3 from metrics.jsonl and then sees step 4 exactly the same way.
        List<ObjectNode> logged = MetricsLog.read(dir.resolve("metrics.jsonl"));
        GrpoMonitor resumed = new GrpoMonitor(MonitorConfig.defaults());
        ObjectNode old = logged.get(0).deepCopy();
        old.remove("monitor/empty_share");
        assertEquals(1, new GrpoMonitor(MonitorConfig.defaults()).replay(List.of(old)), "a row from before the monitor");
        assertEquals(0, resumed.replay(logged.subList(0, 3)));
        Step four = script().get(3);
        StringWriter out2 = new StringWriter();
        Map<String, Object> again = resumed.observe(four.metrics(), four.completions(), new PrintWriter(out2, true));
        for (Map.Entry<String, Object> e : again.entrySet()) assertEquals(last.get(e.getKey()), e.getValue(), e.getKey());
        assertEquals(printed, out2.toString());
    }
}

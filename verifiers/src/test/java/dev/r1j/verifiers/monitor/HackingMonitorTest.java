package dev.r1j.verifiers.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.r1j.verifiers.monitor.HackingMonitor.MonitorReport;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The monitor on hand-made step sequences; baselines are worked out in the comments. */
class HackingMonitorTest {
    private static final double EPS = 1e-12;

    private static StepStats step(int i, double len, double empty, double answerOnly, double acc, Map<String, Double> r) {
        return new StepStats(i, len, empty, answerOnly, acc, r);
    }

    private static StepStats step(int i, double len) {
        return step(i, len, 0, 0, 0.5, Map.of());
    }

    private static List<String> kinds(MonitorReport r) {
        return r.warnings().stream().map(HackingMonitor.Warning::kind).toList();
    }

    @Test
    void lengthJumpAndCollapseAgainstTheWindowMean() {
        HackingMonitor m = new HackingMonitor(MonitorConfig.defaults());
        double[] steady = {100, 102, 98, 101, 100};
        for (int i = 0; i < steady.length; i++) {
            assertEquals(List.of(), kinds(m.observe(step(i, steady[i]))));
        }
        // baseline (100+102+98+101+100)/5 = 100.2; 160/100.2 = 1.597 ≥ 1.5
        MonitorReport jump = m.observe(step(5, 160));
        assertEquals(List.of("length_jump"), kinds(jump));
        assertEquals(160 / 100.2, jump.metrics().get("monitor/len_ratio"), EPS);
        assertTrue(jump.warnings().get(0).message().contains("1.60x"), jump.warnings().get(0).message());
        assertEquals(1.0, jump.metrics().get("monitor/warnings"));
        HackingMonitor c = new HackingMonitor(MonitorConfig.defaults());
        for (int i = 0; i < 5; i++) {
            c.observe(step(i, 90));
        }
        // 60/90 = 0.667 ≤ 1/1.5
        assertEquals(List.of("length_collapse"), kinds(c.observe(step(5, 60))));
        // 70/((90·4 + 60)/5 = 84) = 0.83: not a collapse
        assertEquals(List.of(), kinds(c.observe(step(6, 70))));
    }

    @Test
    void noWarningBeforeMinHistory() {
        HackingMonitor m = new HackingMonitor(MonitorConfig.defaults());
        assertEquals(List.of(), kinds(m.observe(step(0, 10))));
        MonitorReport second = m.observe(step(1, 100));   // 10x, but only one step of history
        assertEquals(List.of(), kinds(second));
        assertEquals(10.0, second.metrics().get("monitor/len_ratio"), EPS);
        assertEquals(List.of(), kinds(m.observe(step(2, 100))));
        // three steps of history: baseline (10+100+100)/3 = 70, 200/70 = 2.86
        assertEquals(List.of("length_jump"), kinds(m.observe(step(3, 200))));
    }

    @Test
    void emptyAndAnswerOnlyCompletionsSpreading() {
        HackingMonitor m = new HackingMonitor(MonitorConfig.defaults());
        double[] empty = {0, 0, 0.02, 0};
        for (int i = 0; i < empty.length; i++) {
            m.observe(step(i, 100, empty[i], 0.05, 0.5, Map.of()));
        }
        // empty baseline 0.005 → +0.145 ≥ 0.10; answer-only 0.05 → 0.12 is only +0.07
        MonitorReport r = m.observe(step(4, 100, 0.15, 0.12, 0.5, Map.of()));
        assertEquals(List.of("empty_spread"), kinds(r));
        assertEquals(0.145, r.metrics().get("monitor/empty_share_delta"), EPS);
        // answer-only baseline now (0.05·4 + 0.12)/5 = 0.064 → 0.30 is +0.236
        MonitorReport a = m.observe(step(5, 100, 0.0, 0.30, 0.5, Map.of()));
        assertEquals(List.of("answer_only_spread"), kinds(a));
        assertTrue(a.warnings().get(0).message().contains("30.0% of completions are answer-only"), a.warnings().get(0).message());
    }

    @Test
    void rewardRisingWhileAccuracyFalls() {
        HackingMonitor m = new HackingMonitor(MonitorConfig.defaults());
        for (int i = 0; i < 3; i++) {
            m.observe(step(i, 100, 0, 0, 0.6, Map.of("format", 0.5, "math", 0.6)));
        }
        // format +0.2, math −0.1, accuracy −0.1: only format is flagged
        MonitorReport r = m.observe(step(3, 100, 0, 0, 0.5, Map.of("format", 0.7, "math", 0.5)));
        assertEquals(List.of("reward_accuracy_divergence"), kinds(r));
        assertTrue(r.warnings().get(0).message().contains("'format' rose by +0.200 while accuracy fell by 0.100"),
                r.warnings().get(0).message());
        assertEquals(0.2, r.metrics().get("monitor/reward_delta/format"), 1e-12);
        assertEquals(-0.1, r.metrics().get("monitor/accuracy_delta"), 1e-12);
        // both rising is learning, not hacking
        HackingMonitor ok = new HackingMonitor(MonitorConfig.defaults());
        for (int i = 0; i < 3; i++) {
            ok.observe(step(i, 100, 0, 0, 0.6, Map.of("format", 0.5)));
        }
        assertEquals(List.of(), kinds(ok.observe(step(3, 100, 0, 0, 0.7, Map.of("format", 0.9)))));
    }

    @Test
    void completionShapes() {
        assertEquals(CompletionShape.EMPTY, CompletionShape.classify(" \n", 20));
        assertEquals(CompletionShape.ANSWER_ONLY, CompletionShape.classify("<answer>42</answer>", 20));
        assertEquals(CompletionShape.ANSWER_ONLY, CompletionShape.classify("<think></think><answer>42</answer>", 20));
        assertEquals(CompletionShape.ANSWER_ONLY, CompletionShape.classify("So \\boxed{\\frac{1}{2}}", 20));
        assertEquals(CompletionShape.ANSWER_ONLY, CompletionShape.classify("42", 20));
        assertEquals(CompletionShape.REASONED,
                CompletionShape.classify("<think>40 plus 2 makes 42, so the answer is 42.</think><answer>42</answer>", 20));
        StepStats s = StepStats.of(7, List.of("", "<answer>1</answer>", "<think>a long enough chain of thought</think>1",
                "x"), new int[] {0, 4, 12, 2}, 0.25, Map.of());
        assertEquals(0.25, s.emptyShare(), EPS);
        assertEquals(0.5, s.answerOnlyShare(), EPS);
        assertEquals(4.5, s.completionLenMean(), EPS);
    }
}

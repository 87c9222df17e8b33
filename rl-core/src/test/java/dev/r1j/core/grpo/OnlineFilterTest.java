package dev.r1j.core.grpo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.r1j.core.sampling.CompletionGroup;
import dev.r1j.core.sampling.Prompt;
import dev.r1j.core.sampling.Sampler;
import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.core.testing.RootManager;
import dev.r1j.core.testing.TinyLM;
import dev.r1j.verifiers.Sample;
import dev.r1j.verifiers.Verdict;
import dev.r1j.verifiers.Verifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Online difficulty filtering: the history's arithmetic by hand, and the trainer against a naive re-enactment. */
class OnlineFilterTest {
    private static final String ALPHA = "abcdefgh";
    @RootManager private static NDManager root;

    @Test
    void aPromptRetiresOnAFullWindowAtOrBeyondAThreshold() {
        PassRateHistory h = new PassRateHistory(new OnlineFilter(2, 0.1, 0.9));
        h.observe("solved", 1.0);
        assertFalse(h.retired("solved"), "one group is not a full window");
        h.observe("solved", 0.875);
        assertTrue(h.retired("solved"), "mean 0.9375 >= 0.9");
        h.observe("mixed", 1.0);
        h.observe("mixed", 0.5);
        assertFalse(h.retired("mixed"), "mean 0.75");
        h.observe("mixed", 0.75);
        assertFalse(h.retired("mixed"), "the window slides: mean of 0.5 and 0.75");
        h.observe("hard", 0.0);
        h.observe("hard", 0.125);
        assertTrue(h.retired("hard"), "mean 0.0625 <= 0.1");
        assertFalse(h.retired("never seen"));
        assertEquals(2, h.retiredCount(), "solved and hard");

        PassRateHistory back = new PassRateHistory(new OnlineFilter(2, 0.1, 0.9));
        back.restoreJson(h.toJson());
        assertEquals(h.toState(), back.toState());
        assertTrue(back.retired("solved") && !back.retired("mixed"));
        PassRateHistory off = new PassRateHistory(OnlineFilter.off());
        off.observe("solved", 1.0);
        assertFalse(off.retired("solved"));
        assertThrows(IllegalArgumentException.class, () -> new OnlineFilter(1, 0.5, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new OnlineFilter(-1, 0.0, 1.0));
    }

    /** 'a' is always solved, 'b' never, 'c' and 'd' when the completion starts with 'e'. */
    static final Verifier BY_PROMPT = new Verifier() {
        @Override
        public String name() {
            return "by-prompt";
        }

        @Override
        public Verdict verify(Sample s) {
            boolean pass = switch (s.prompt()) {
                case "a" -> true;
                case "b" -> false;
                default -> s.completion().startsWith("e");
            };
            return Verdict.of(pass ? 1.0 : 0.0, "");
        }
    };

    @Test
    void theTrainerSkipsExactlyThePromptsANaiveReEnactmentRetires() {
        List<Prompt> prompts = List.of("a", "b", "c", "d").stream().map(p -> new Prompt(p, Map.of())).toList();
        GrpoConfig cfg = GrpoConfig.builder().groupSize(8).maxNewTokens(2).promptsPerStep(1).learningRate(0.05)
                .steps(10).seed(3).onlineFilter(new OnlineFilter(1, 0.0, 1.0)).build();
        List<List<String>> sampled = new ArrayList<>();
        List<GrpoStepMetrics> metrics;
        List<List<ScoredCompletion>> completions = new ArrayList<>();
        try (TinyLM model = TinyLM.bigram(root, ALPHA.length(), 8, 1)) {
            CharSampler chars = new CharSampler(model, ALPHA);
            Sampler recording = new Sampler() {
                @Override
                public List<CompletionGroup> sample(List<String> ps, SamplingParams params) {
                    sampled.add(List.copyOf(ps));
                    return chars.sample(ps, params);
                }
            };
            try (GrpoTrainer trainer = new GrpoTrainer(model, null, recording, BY_PROMPT, cfg)) {
                metrics = trainer.train(new PromptSource(prompts, 3), m -> completions.add(trainer.lastCompletions()));
            }
        }
        // the naive re-enactment: walk the same prompt stream; a prompt whose last group was all-pass or all-fail
        // is passed over, at most one epoch (4 prompts) per step (one prompt a step, so a step's group is its own)
        PromptSource stream = new PromptSource(prompts, 3);
        Map<String, Double> lastRate = new HashMap<>();
        int totalSkipped = 0;
        for (int step = 0; step < 10; step++) {
            List<String> taken = new ArrayList<>();
            int skipped = 0;
            while (taken.size() < 1) {
                String p = stream.next(1).get(0).prompt();
                Double r = lastRate.get(p);
                if (skipped < 4 && r != null && (r <= 0.0 || r >= 1.0)) skipped++;
                else taken.add(p);
            }
            assertEquals(taken, sampled.get(step), "step " + (step + 1) + "'s prompts");
            assertEquals(skipped, metrics.get(step).extra().get("online_filter/skipped"), "step " + (step + 1));
            totalSkipped += skipped;
            for (String p : taken) {
                List<ScoredCompletion> g = completions.get(step).stream().filter(s -> s.prompt().prompt().equals(p)).toList();
                assertEquals(8, g.size());
                lastRate.put(p, g.stream().filter(s -> s.verdict().reward() >= 1.0).count() / 8.0);
            }
            Set<String> retired = new HashSet<>();
            lastRate.forEach((p, r) -> {
                if (r <= 0.0 || r >= 1.0) retired.add(p);
            });
            assertEquals((double) retired.size(), metrics.get(step).extra().get("online_filter/retired"));
        }
        assertTrue(totalSkipped >= 4, "'a' and 'b' retire after their first group and are passed over from then on: "
                + totalSkipped + " skips");
        assertTrue(metrics.get(0).toMap().containsKey("online_filter/skipped"));
    }
}

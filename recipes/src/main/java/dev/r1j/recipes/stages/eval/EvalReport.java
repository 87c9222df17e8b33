package dev.r1j.recipes.stages.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an evaluation measured over {@code problems} prompts with {@code samplesPerProblem} completions each.
 * {@code accuracy} is the mean over all completions of exact-match correctness (pass@1 averaged over the samples);
 * lengths are in tokens (the EOS token counts when generated); {@code truncatedFrac} is the share of completions cut
 * at {@code max_new_tokens}.
 */
public record EvalReport(int problems, int samplesPerProblem, double accuracy, double rewardMean,
                         double completionLenMean, double truncatedFrac, List<ScoredSample> samples) {

    /** One scored completion. */
    public record ScoredSample(String prompt, Object answer, String completion, boolean correct, double reward,
                               int tokens, boolean truncated) {}

    /** The figures the results table shows, by metric name. */
    public Map<String, Double> summary() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("accuracy", accuracy);
        m.put("reward_mean", rewardMean);
        m.put("completion_len_mean", completionLenMean);
        m.put("truncated_frac", truncatedFrac);
        return m;
    }
}

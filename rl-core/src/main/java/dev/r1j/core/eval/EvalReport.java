package dev.r1j.core.eval;

import dev.r1j.verifiers.eval.ConfidenceInterval;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an evaluation measured over {@code problems} prompts with {@code samplesPerProblem} completions each.
 * {@code accuracy} is the mean over all completions of exact-match correctness (pass@1 averaged over the samples);
 * lengths are in tokens (the EOS token counts when generated); {@code truncatedFrac} is the share of completions cut
 * at {@code max_new_tokens}. {@code benchmark} is the reward library's report on the same verdicts (pass@k for
 * k = 1, 2, 4, … n, maj@k for k ≥ 2, each with a 95% interval over problems); {@code completionLenCi95} and
 * {@code truncatedCi95} are 95% intervals over problems of the per-problem means, by the same rule
 * ({@link ConfidenceInterval#of}). {@code tools} holds the tool-use statistics of multi-turn episodes
 * ({@link dev.r1j.core.sampling.EpisodeStats}: turns, tool calls, errors, timeouts per episode, share using a tool);
 * empty for single-turn sampling.
 */
public record EvalReport(int problems, int samplesPerProblem, double accuracy, double rewardMean,
                         double completionLenMean, double truncatedFrac, List<ScoredSample> samples,
                         dev.r1j.verifiers.eval.EvalReport benchmark, ConfidenceInterval completionLenCi95,
                         ConfidenceInterval truncatedCi95, Map<String, Double> tools) {

    public EvalReport {
        tools = tools == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tools));
    }

    /** A report of single-turn sampling. */
    public EvalReport(int problems, int samplesPerProblem, double accuracy, double rewardMean, double completionLenMean,
            double truncatedFrac, List<ScoredSample> samples, dev.r1j.verifiers.eval.EvalReport benchmark,
            ConfidenceInterval completionLenCi95, ConfidenceInterval truncatedCi95) {
        this(problems, samplesPerProblem, accuracy, rewardMean, completionLenMean, truncatedFrac, samples, benchmark,
                completionLenCi95, truncatedCi95, Map.of());
    }

    /**
     * One scored completion; {@code extracted} is the exact-match verifier's extracted answer (the math verifier's
     * {@code extracted} detail, which maj@k votes over), null when it gives none.
     */
    public record ScoredSample(String prompt, Object answer, String completion, boolean correct, double reward,
                               int tokens, boolean truncated, String extracted) {}

    /**
     * The figures the results table shows, by metric name: accuracy, mean reward, length and truncated share, then
     * pass@1, and pass@n and maj@n for n samples per problem, each followed by its interval's {@code _ci95_low} and
     * {@code _ci95_high} (the length and truncated share too); then the tool-use statistics, if any.
     */
    public Map<String, Double> summary() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("accuracy", accuracy);
        m.put("reward_mean", rewardMean);
        m.put("completion_len_mean", completionLenMean);
        putCi(m, "completion_len_mean", completionLenCi95);
        m.put("truncated_frac", truncatedFrac);
        putCi(m, "truncated_frac", truncatedCi95);
        put(m, "pass@1", benchmark.pass1());
        int n = benchmark.samplesPerProblem();
        if (n > 1) {
            put(m, "pass@" + n, benchmark.passAtK().get(n));
            put(m, "maj@" + n, benchmark.majAtK().get(n));
        }
        m.putAll(tools);
        return m;
    }

    /** The {@code eval.json} figures: the benchmark report's (every k) plus accuracy, mean reward and intervals. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>(benchmark.toJson());
        m.put("accuracy", accuracy);
        m.put("reward_mean", rewardMean);
        m.put("completion_len_mean", completionLenMean);
        m.put("completion_len_mean_ci95", List.of(completionLenCi95.low(), completionLenCi95.high()));
        m.put("truncated_frac", truncatedFrac);
        m.put("truncated_frac_ci95", List.of(truncatedCi95.low(), truncatedCi95.high()));
        m.putAll(tools);
        return m;
    }

    private static void put(Map<String, Double> m, String key, dev.r1j.verifiers.eval.EvalReport.Metric v) {
        m.put(key, v.value());
        putCi(m, key, v.ci95());
    }

    private static void putCi(Map<String, Double> m, String key, ConfidenceInterval ci) {
        m.put(key + "_ci95_low", ci.low());
        m.put(key + "_ci95_high", ci.high());
    }
}

package dev.r1j.core.grpo;

import dev.r1j.verifiers.RewardStats;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one GRPO step measured. Reward statistics cover every completion sampled in the step (before dynamic
 * sampling drops groups); loss statistics are means over the {@code num_iterations} updates. {@code accuracy} is the
 * fraction of completions whose verdict gave full credit (reward >= 1). Times are seconds. {@code perReward} holds
 * each reward's statistics over the step's verdicts ({@link RewardStats#perReward}: a composite's parts by label, a
 * plain verifier as {@code reward}); {@code fracRewardZeroStd} is the share of sampled groups whose training rewards
 * are all equal. {@code tools} holds the tool-use statistics of multi-turn episodes
 * ({@link dev.r1j.core.sampling.EpisodeStats}; empty for single-turn sampling).
 */
public record GrpoStepMetrics(
        int step,
        double rewardMean,
        double rewardStd,
        double accuracy,
        double loss,
        double kl,
        double clipFracLow,
        double clipFracHigh,
        double entropy,
        double ratioMean,
        double completionLenMean,
        double truncatedFrac,
        double lr,
        double gradNorm,
        int groupsKept,
        int groupsDrawn,
        long completionTokens,
        double generationS,
        double rewardS,
        double logprobS,
        double updateS,
        double elapsedS,
        Map<String, RewardStats.Summary> perReward,
        double fracRewardZeroStd,
        Map<String, Double> tools) {

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    public GrpoStepMetrics {
        perReward = perReward == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(perReward));
        tools = tools == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tools));
    }

    /** Metrics of single-turn sampling (no tool-use statistics). */
    public GrpoStepMetrics(int step, double rewardMean, double rewardStd, double accuracy, double loss, double kl,
            double clipFracLow, double clipFracHigh, double entropy, double ratioMean, double completionLenMean,
            double truncatedFrac, double lr, double gradNorm, int groupsKept, int groupsDrawn, long completionTokens,
            double generationS, double rewardS, double logprobS, double updateS, double elapsedS,
            Map<String, RewardStats.Summary> perReward, double fracRewardZeroStd) {
        this(step, rewardMean, rewardStd, accuracy, loss, kl, clipFracLow, clipFracHigh, entropy, ratioMean,
                completionLenMean, truncatedFrac, lr, gradNorm, groupsKept, groupsDrawn, completionTokens, generationS,
                rewardS, logprobS, updateS, elapsedS, perReward, fracRewardZeroStd, Map.of());
    }

    /** Metrics without per-reward statistics (they are empty and {@code frac_reward_zero_std} is unknown). */
    public GrpoStepMetrics(int step, double rewardMean, double rewardStd, double accuracy, double loss, double kl,
            double clipFracLow, double clipFracHigh, double entropy, double ratioMean, double completionLenMean,
            double truncatedFrac, double lr, double gradNorm, int groupsKept, int groupsDrawn, long completionTokens,
            double generationS, double rewardS, double logprobS, double updateS, double elapsedS) {
        this(step, rewardMean, rewardStd, accuracy, loss, kl, clipFracLow, clipFracHigh, entropy, ratioMean,
                completionLenMean, truncatedFrac, lr, gradNorm, groupsKept, groupsDrawn, completionTokens, generationS,
                rewardS, logprobS, updateS, elapsedS, Map.of(), Double.NaN, Map.of());
    }

    public double clipFrac() {
        return clipFracLow + clipFracHigh;
    }

    public double stepS() {
        return generationS + rewardS + logprobS + updateS;
    }

    /** Completion tokens sampled per second of the whole step. */
    public double tokensPerS() {
        double s = stepS();
        return s > 0 ? completionTokens / s : 0;
    }

    /**
     * The {@link #toMap()} object as one line of JSON, e.g. {@code {"step":1,"stage":"grpo","reward_mean":0.25,...}}.
     */
    public String toJson() {
        try {
            return JSON.writeValueAsString(toMap());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e); // numbers, strings and nulls only: cannot happen
        }
    }

    /**
     * The {@code metrics.jsonl} object (the standard fields first: step, stage, reward_mean, reward_std, accuracy,
     * loss, kl, clip_frac, entropy, completion_len_mean, lr, grad_norm, tokens_per_s, elapsed_s; then extras:
     * {@code frac_reward_zero_std} and {@code reward/<label>_mean}, {@code reward/<label>_std} per reward, and
     * {@code tools/<key>} for multi-turn episodes);
     * {@code NaN} becomes null.
     */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", step);
        m.put("stage", "grpo");
        put(m, "reward_mean", rewardMean);
        put(m, "reward_std", rewardStd);
        put(m, "accuracy", accuracy);
        put(m, "loss", loss);
        put(m, "kl", kl);
        put(m, "clip_frac", clipFrac());
        put(m, "entropy", entropy);
        put(m, "completion_len_mean", completionLenMean);
        put(m, "lr", lr);
        put(m, "grad_norm", gradNorm);
        put(m, "tokens_per_s", tokensPerS());
        put(m, "elapsed_s", elapsedS);
        put(m, "clip_frac_low", clipFracLow);
        put(m, "clip_frac_high", clipFracHigh);
        put(m, "ratio_mean", ratioMean);
        put(m, "truncated_frac", truncatedFrac);
        m.put("groups_kept", groupsKept);
        m.put("groups_drawn", groupsDrawn);
        put(m, "time_generation_s", generationS);
        put(m, "time_reward_s", rewardS);
        put(m, "time_logprob_s", logprobS);
        put(m, "time_update_s", updateS);
        put(m, "frac_reward_zero_std", fracRewardZeroStd);
        perReward.forEach((label, st) -> {
            put(m, "reward/" + label + "_mean", st.mean());
            put(m, "reward/" + label + "_std", st.std());
        });
        tools.forEach((key, v) -> put(m, "tools/" + key, v));
        return m;
    }

    private static void put(Map<String, Object> m, String key, double v) {
        m.put(key, Double.isFinite(v) ? v : null);
    }
}

package dev.r1j.core.grpo;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How far the sampler's behaviour log-probs are from the trainer's (before the step's updates), over the counted
 * completion tokens of one step: mean and max {@code |log p_trainer - log p_sampler|}, the KL(sampler || trainer)
 * estimated on the sampler's own tokens by Schulman's k1 ({@code log p_s - log p_t}, unbiased, can be negative) and
 * k3 ({@code r - 1 - log r} with {@code r = p_t / p_s}, unbiased and >= 0), and the share of tokens that
 * {@link RolloutCorrection} truncated or masked. Accumulated micro-batch by micro-batch on the trainer thread.
 *
 * <pre>{@code
 * OffPolicyStats s = new OffPolicyStats();
 * s.add(trainer, sampler, mask);
 * double gap = s.toMetrics().get("rollout_corr/logprob_diff_max");
 * }</pre>
 */
public final class OffPolicyStats {
    private double tokens, absDiff, maxAbsDiff, k1, k3, corrected;

    /** Adds the counted positions ({@code mask > 0}) of equally laid-out log-prob arrays. */
    public void add(float[] trainer, float[] sampler, float[] mask) {
        for (int i = 0; i < mask.length; i++) {
            if (mask[i] <= 0) continue;
            double d = (double) trainer[i] - sampler[i];
            tokens++;
            absDiff += Math.abs(d);
            maxAbsDiff = Math.max(maxAbsDiff, Math.abs(d));
            k1 -= d;
            k3 += Math.expm1(d) - d;
        }
    }

    /** Counts {@code n} tokens whose weight the correction changed. */
    void corrected(int n) {
        corrected += n;
    }

    public double tokens() {
        return tokens;
    }

    /**
     * {@code rollout_corr/logprob_diff_mean}, {@code _max}, {@code rollout_corr/kl_k1}, {@code rollout_corr/kl_k3}
     * and {@code rollout_corr/frac_corrected} ({@code NaN} without tokens).
     */
    public Map<String, Double> toMetrics() {
        Map<String, Double> m = new LinkedHashMap<>();
        double t = tokens > 0 ? tokens : Double.NaN;
        m.put("rollout_corr/logprob_diff_mean", absDiff / t);
        m.put("rollout_corr/logprob_diff_max", tokens > 0 ? maxAbsDiff : Double.NaN);
        m.put("rollout_corr/kl_k1", k1 / t);
        m.put("rollout_corr/kl_k3", k3 / t);
        m.put("rollout_corr/frac_corrected", corrected / t);
        return m;
    }
}

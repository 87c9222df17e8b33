package dev.r1j.core.grpo;

import dev.r1j.options.Alias;

/**
 * The baseline subtracted from each reward: the group mean ({@code grpo}, Shao et al. 2024) or the mean of the
 * other G-1 samples of the same prompt ({@code rloo}, Ahmadian et al. 2024, "Back to Basics"). REINFORCE++ (Hu et
 * al. 2025) instead normalises over the whole batch: {@code reinforce_pp} whitens the rewards themselves (no group
 * baseline, so any group size), {@code reinforce_pp_baseline} whitens the rewards minus their group mean.
 */
public enum AdvantageEstimator {
    GRPO,
    RLOO,
    @Alias(value = "reinforce_plus_plus", source = "veRL") REINFORCE_PP,
    @Alias(value = "reinforce_plus_plus_baseline", source = "veRL") REINFORCE_PP_BASELINE;

    /** Whether the estimator subtracts a per-prompt baseline and so needs at least two samples per prompt. */
    public boolean needsGroup() {
        return this != REINFORCE_PP;
    }

    /** Whether the estimator normalises over the whole batch by itself (REINFORCE++), overriding scale_rewards. */
    public boolean batchWhitened() {
        return this == REINFORCE_PP || this == REINFORCE_PP_BASELINE;
    }
}

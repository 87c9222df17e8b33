package dev.r1j.core.grpo;

/**
 * The baseline subtracted from each reward: the group mean ({@code grpo}, Shao et al. 2024) or the mean of the
 * other G-1 samples of the same prompt ({@code rloo}, Ahmadian et al. 2024, "Back to Basics").
 */
public enum AdvantageEstimator {
    GRPO, RLOO
}

package dev.r1j.core.grpo;

/**
 * Where the importance ratio {@code pi/pi_old} is taken: per token ({@code token}, PPO/GRPO) or once per sequence
 * ({@code sequence}, GSPO, Zheng et al. 2025): {@code s_i = exp(mean over the completion's tokens of (new - old))},
 * the length-normalised sequence likelihood ratio, clipped per sequence and shared by all its tokens.
 */
public enum ImportanceSamplingLevel {
    TOKEN, SEQUENCE
}

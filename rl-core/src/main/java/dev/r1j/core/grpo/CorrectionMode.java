package dev.r1j.core.grpo;

/**
 * How {@link RolloutCorrection} treats the ratio {@code pi_trainer / pi_sampler} of a sampled token (or sequence):
 * not at all, truncated importance sampling (the policy term weighted by {@code min(ratio, cap)}; Yao et al. 2025,
 * "Your efficient RL framework secretly brings you off-policy RL training") or masked importance sampling (the
 * policy term of a token or sequence whose ratio leaves {@code [1/cap, cap]} dropped; veRL's rollout rejection
 * sampling, IcePop).
 */
public enum CorrectionMode {
    NONE,
    TIS,
    MIS
}

package dev.r1j.core.grpo;

/**
 * How centred rewards are scaled into advantages: by the group's standard deviation ({@code group}, DeepSeekMath
 * GRPO), by the whole batch's ({@code batch}, as in TRL and "A Minimalist Approach", Xiong et al. 2025), or not at
 * all ({@code none}, Dr. GRPO, Liu et al. 2025, which removes the difficulty bias of dividing by a small std).
 */
public enum ScaleRewards {
    GROUP, BATCH, NONE
}

package dev.r1j.core.grpo;

/**
 * How per-token losses are aggregated: {@code grpo} averages each sequence then the sequences (Shao et al. 2024);
 * {@code dapo} averages over every token of the batch (Yu et al. 2025, token-level loss); {@code dr_grpo} sums
 * and divides by a constant {@code B * max_completion_length} (Liu et al. 2025), removing the length bias.
 */
public enum LossType {
    GRPO, DAPO, DR_GRPO
}

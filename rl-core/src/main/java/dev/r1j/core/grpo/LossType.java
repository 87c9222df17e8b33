package dev.r1j.core.grpo;

/**
 * How per-token losses are aggregated: {@code grpo} averages each sequence then the sequences (Shao et al. 2024);
 * {@code dapo} averages over every token of the batch (Yu et al. 2025, token-level loss); {@code dr_grpo} sums
 * and divides by a constant {@code B * max_completion_length} (Liu et al. 2025), removing the length bias;
 * {@code bnpo} (TRL's) averages over the counted tokens of each micro-batch on its own, so with gradient
 * accumulation a micro-batch of few tokens weighs as much as one of many (dapo divides every micro-batch by the
 * whole batch's count, giving the gradient of one big batch); without accumulation the two are equal.
 * {@code cispo} (MiniMax-M1, 2025; TRL's name) replaces the clipped surrogate by
 * {@code -sg(min(ratio, 1 + clip.high)) * A * log pi}: the importance weight is clipped and carries no gradient, so
 * every token keeps a gradient (none is dropped by the clip); it is aggregated like {@code dapo}.
 */
public enum LossType {
    GRPO, DAPO, DR_GRPO, BNPO, CISPO
}

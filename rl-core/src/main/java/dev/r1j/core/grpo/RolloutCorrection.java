package dev.r1j.core.grpo;

import dev.r1j.options.Default;
import dev.r1j.options.Help;

/**
 * Off-policy correction of the GRPO policy term for the gap between the policy that sampled a completion (another
 * engine, other kernels, or weights some steps old under {@code async_steps}) and the trainer's old policy. Recipe
 * key {@code rollout_correction: {mode, cap, level}}.
 *
 * <p>Per counted token, {@code ratio = exp(log pi_trainer_old - log pi_sampler)}, where {@code pi_trainer_old} is
 * the trainer's log-prob before this step's updates (the ratio the PPO clip uses is then {@code pi / pi_trainer_old},
 * as in veRL's decoupled rollout correction) and {@code pi_sampler} the {@link dev.r1j.core.sampling.Completion}'s
 * behaviour log-prob. At {@code level: sequence} the ratio is the sequence's product,
 * {@code exp(sum of the token log-ratios)}, shared by its tokens (veRL {@code rollout_is: sequence}, TRL
 * {@code sequence_truncate}/{@code sequence_mask}).
 * <ul>
 *   <li>{@code tis}: the policy term is weighted by {@code min(ratio, cap)}, a constant (no gradient through it);
 *   <li>{@code mis}: the policy term of a token (sequence) whose ratio leaves {@code [1/cap, cap]} is dropped; the
 *       loss normaliser still counts it (as TRL's mask modes, which zero the weight).
 * </ul>
 * The KL-to-reference term is not weighted (TRL and veRL weight the policy term only).
 *
 * <p>Refused combinations: {@code cap <= 1} (truncating at or below 1 would down-weight on-policy tokens, and
 * {@code [1/cap, cap]} would be empty or a point); a token-level correction with {@code importance_sampling_level:
 * sequence} (GSPO gives each sequence one ratio and one clip decision; weighting or dropping single tokens inside it
 * would undo that, so GSPO takes {@code level: sequence}).
 *
 * <pre>{@code
 * RolloutCorrection tis = new RolloutCorrection(CorrectionMode.TIS, 2.0, ImportanceSamplingLevel.TOKEN);
 * }</pre>
 */
public record RolloutCorrection(
        @Help("none | tis | mis: truncated IS, weight min(pi_trainer/pi_sampler, cap) (Yao et al. 2025, \"Your "
                + "efficient RL framework secretly brings you off-policy RL training\"; veRL rollout_is, TRL "
                + "vllm_importance_sampling_correction) | masked IS, drop tokens or sequences whose ratio leaves "
                + "[1/cap, cap] (veRL rollout_rs, IcePop)") @Default("none") CorrectionMode mode,
        @Help("C > 1: the truncation cap of tis and the band [1/C, C] of mis (veRL rollout_is_threshold / "
                + "rollout_rs_threshold, TRL vllm_importance_sampling_cap)") @Default("2.0") double cap,
        @Help("token | sequence: the ratio per token or the sequence's product of them (TRL token_* / "
                + "sequence_* modes); GSPO needs sequence") @Default("token") ImportanceSamplingLevel level) {

    public static final RolloutCorrection NONE =
            new RolloutCorrection(CorrectionMode.NONE, 2.0, ImportanceSamplingLevel.TOKEN);

    public RolloutCorrection {
        if (mode == null) throw new IllegalArgumentException("rollout_correction.mode must be given");
        if (level == null) throw new IllegalArgumentException("rollout_correction.level must be given");
        if (!(cap > 1) || Double.isInfinite(cap)) {
            throw new IllegalArgumentException("rollout_correction.cap must be a finite C > 1 (tis truncates the "
                    + "ratio at C, mis keeps [1/C, C]), got " + cap);
        }
    }

    /** Whether the loss is corrected (the sampler-vs-trainer metrics are reported either way). */
    public boolean active() {
        return mode != CorrectionMode.NONE;
    }

    /**
     * The per-token weights of the policy term for {@code rows} completions of {@code width} positions, and the
     * corrected tokens counted into {@code stats}: {@code trainer} and {@code sampler} are log-probs, {@code mask}
     * 1 on counted tokens. Positions outside the mask get weight 1 (they are masked out of the loss anyway).
     */
    public float[] weights(float[] trainer, float[] sampler, float[] mask, int rows, int width, OffPolicyStats stats) {
        float[] w = new float[rows * width];
        java.util.Arrays.fill(w, 1f);
        double lower = 1 / cap;
        for (int i = 0; i < rows; i++) {
            int o = i * width;
            if (level == ImportanceSamplingLevel.SEQUENCE) {
                double logRatio = 0;
                int counted = 0;
                for (int j = 0; j < width; j++) {
                    if (mask[o + j] > 0) {
                        logRatio += (double) trainer[o + j] - sampler[o + j];
                        counted++;
                    }
                }
                double r = Math.exp(logRatio);
                double weight = weight(r, lower);
                for (int j = 0; j < width; j++) if (mask[o + j] > 0) w[o + j] = (float) weight;
                if (corrected(r, lower)) stats.corrected(counted);
            } else {
                for (int j = 0; j < width; j++) {
                    if (mask[o + j] <= 0) continue;
                    double r = Math.exp((double) trainer[o + j] - sampler[o + j]);
                    double weight = weight(r, lower);
                    w[o + j] = (float) weight;
                    if (corrected(r, lower)) stats.corrected(1);
                }
            }
        }
        return w;
    }

    /** tis: min(r, cap); mis: 1 inside [1/cap, cap], else 0; none: 1. */
    private double weight(double r, double lower) {
        return switch (mode) {
            case NONE -> 1;
            case TIS -> Math.min(r, cap);
            case MIS -> r >= lower && r <= cap ? 1 : 0;
        };
    }

    /** Whether the mode changed this ratio's treatment: truncated (tis, r > cap) or dropped (mis, outside the band). */
    private boolean corrected(double r, double lower) {
        return switch (mode) {
            case NONE -> false;
            case TIS -> r > cap;
            case MIS -> !(r >= lower && r <= cap);
        };
    }
}

package dev.r1j.core.grpo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * KL to the reference as a reward penalty instead of a loss term ({@code kl_in_reward}), as in PPO-style RLHF
 * (Ouyang et al. 2022; veRL's {@code use_kl_in_reward}): each counted token's KL estimate, taken between the sampling
 * policy and the reference, is subtracted from the reward, so that with outcome rewards a completion's reward becomes
 * {@code r_i - beta * sum_t kl_t}. Advantages are then computed from these rewards as usual.
 *
 * <pre>{@code
 * double[] penalised = KlRewardPenalty.apply(rewards, oldLogProbs, refLogProbs, mask, KlEstimator.K1, 0.05);
 * }</pre>
 */
public final class KlRewardPenalty {
    private KlRewardPenalty() {}

    /**
     * The penalised rewards.
     *
     * @param rewards one per row
     * @param oldLogProbs float32 {@code [N, T]}, the sampling policy's log-probs (constants)
     * @param refLogProbs float32 {@code [N, T]}, the reference's
     * @param mask {@code [N, T]}, 1 for tokens that count
     */
    public static double[] apply(double[] rewards, NDArray oldLogProbs, NDArray refLogProbs, NDArray mask,
            KlEstimator estimator, double beta) {
        long n = oldLogProbs.getShape().get(0);
        if (rewards.length != n || !refLogProbs.getShape().equals(oldLogProbs.getShape())
                || !mask.getShape().equals(oldLogProbs.getShape())) {
            throw new IllegalArgumentException(rewards.length + " rewards for log-probs " + oldLogProbs.getShape()
                    + ", reference " + refLogProbs.getShape() + ", mask " + mask.getShape());
        }
        float[] kl;
        // the estimate is selected by the mask (not multiplied) so a non-finite value at a padded position stays out
        NDArray est = estimator.of(refLogProbs.stopGradient().sub(oldLogProbs.stopGradient()));
        NDArray keep = mask.toType(DataType.BOOLEAN, false);
        kl = ai.djl.ndarray.NDArrays.where(keep, est, est.zerosLike()).sum(new int[] {1}).toFloatArray();
        double[] out = new double[rewards.length];
        for (int i = 0; i < out.length; i++) out[i] = rewards[i] - beta * kl[i];
        return out;
    }
}

package dev.r1j.core.grpo;

/**
 * Per-sample advantages from the rewards of consecutive groups of {@code groupSize} samples (group {@code g} is
 * {@code rewards[g*G .. g*G+G-1]}).
 *
 * <p>GRPO: {@code A_i = (r_i - mean_group) / (std + eps)}, where {@code std} is the group's ({@code group}), the
 * whole batch's ({@code batch}) or absent ({@code none}, Dr. GRPO: no division at all). RLOO replaces the mean by the
 * leave-one-out baseline {@code (sum_group - r_i) / (G - 1)} and is scaled the same way. As in TRL the standard
 * deviation is the unbiased one (divisor n-1) and {@code eps = 1e-4}.
 *
 * <p>REINFORCE++ (Hu et al. 2025) normalises globally: {@code A_i = (x_i - mean_batch(x)) / (std_batch(x) + eps)}
 * with {@code x = r} ({@code reinforce_pp}) or {@code x_i = r_i - mean_group} ({@code reinforce_pp_baseline}); each
 * completion counts once (outcome rewards give every token of a completion the same value), and
 * {@code scale_rewards} must be {@code batch}.
 *
 * <pre>{@code
 * double[] a = Advantages.compute(new double[] {1, 0, 0, 1}, 2, AdvantageEstimator.GRPO, ScaleRewards.GROUP);
 * }</pre>
 */
public final class Advantages {
    /** TRL's epsilon added to the standard deviation. */
    public static final double EPSILON = 1e-4;

    private Advantages() {}

    public static double[] compute(double[] rewards, int groupSize, AdvantageEstimator estimator, ScaleRewards scale) {
        return compute(rewards, groupSize, estimator, scale, EPSILON);
    }

    public static double[] compute(
            double[] rewards, int groupSize, AdvantageEstimator estimator, ScaleRewards scale, double epsilon) {
        checkShape(rewards, groupSize);
        if (estimator == AdvantageEstimator.RLOO && groupSize < 2) {
            throw new IllegalArgumentException("advantage_estimator rloo needs group_size >= 2, got " + groupSize);
        }
        int n = rewards.length;
        if (estimator.batchWhitened()) return whitened(rewards, groupSize, estimator, epsilon);
        double[] out = new double[n];
        double batchStd = scale == ScaleRewards.BATCH ? std(rewards, 0, n) : Double.NaN;
        for (int g = 0; g < n; g += groupSize) {
            double sum = 0;
            for (int i = g; i < g + groupSize; i++) sum += rewards[i];
            double mean = sum / groupSize;
            double div = switch (scale) {
                case GROUP -> std(rewards, g, g + groupSize) + epsilon;
                case BATCH -> batchStd + epsilon;
                case NONE -> 1.0;
            };
            for (int i = g; i < g + groupSize; i++) {
                double baseline = estimator == AdvantageEstimator.RLOO ? (sum - rewards[i]) / (groupSize - 1) : mean;
                out[i] = (rewards[i] - baseline) / div;
            }
        }
        return out;
    }

    private static double[] whitened(double[] rewards, int groupSize, AdvantageEstimator estimator, double epsilon) {
        int n = rewards.length;
        double[] x = rewards.clone();
        if (estimator == AdvantageEstimator.REINFORCE_PP_BASELINE) {
            for (int g = 0; g < n; g += groupSize) {
                double sum = 0;
                for (int i = g; i < g + groupSize; i++) sum += rewards[i];
                for (int i = g; i < g + groupSize; i++) x[i] = rewards[i] - sum / groupSize;
            }
        }
        double mean = 0;
        for (double v : x) mean += v;
        mean /= n;
        double div = std(x, 0, n) + epsilon;
        for (int i = 0; i < n; i++) x[i] = (x[i] - mean) / div;
        return x;
    }

    /** Unbiased standard deviation of {@code x[from..to)}; 0 for a single value. */
    static double std(double[] x, int from, int to) {
        int n = to - from;
        if (n < 2) return 0.0;
        double mean = 0;
        for (int i = from; i < to; i++) mean += x[i];
        mean /= n;
        double ss = 0;
        for (int i = from; i < to; i++) ss += (x[i] - mean) * (x[i] - mean);
        return Math.sqrt(ss / (n - 1));
    }

    static void checkShape(double[] rewards, int groupSize) {
        if (groupSize < 1) throw new IllegalArgumentException("group_size must be >= 1, got " + groupSize);
        if (rewards.length % groupSize != 0) {
            throw new IllegalArgumentException(
                    rewards.length + " rewards are not a whole number of groups of " + groupSize);
        }
        for (int i = 0; i < rewards.length; i++) {
            if (!Double.isFinite(rewards[i])) {
                throw new IllegalArgumentException("reward " + i + " is not finite: " + rewards[i]);
            }
        }
    }
}

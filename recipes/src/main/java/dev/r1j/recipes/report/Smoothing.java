package dev.r1j.recipes.report;

/**
 * The smoothed line drawn over raw metric points: TensorBoard's exponential moving average with its bias correction,
 * so the first points are not pulled toward 0: {@code s_t = w·s_{t−1} + (1 − w)·y_t}, shown as
 * {@code s_t / (1 − w^t)}.
 *
 * <pre>{@code
 * double[] s = Smoothing.ema(new double[] {1, 0, 1, 0}, 0.6);
 * }</pre>
 */
public final class Smoothing {
    /** The weight used on the plots (TensorBoard's default slider position). */
    public static final double DEFAULT_WEIGHT = 0.6;

    private Smoothing() {}

    /** The debiased exponential moving average of {@code y} with {@code weight} in [0, 1). */
    public static double[] ema(double[] y, double weight) {
        if (!(weight >= 0 && weight < 1)) {
            throw new IllegalArgumentException("smoothing weight must be in [0, 1), got " + weight);
        }
        double[] out = new double[y.length];
        double acc = 0;
        double debias = 1;
        for (int i = 0; i < y.length; i++) {
            acc = weight * acc + (1 - weight) * y[i];
            debias *= weight;
            out[i] = acc / (1 - debias);
        }
        return out;
    }

    /** A weight that smooths more as there are more points: none for a handful, {@link #DEFAULT_WEIGHT} at 30+. */
    public static double weightFor(int points) {
        return points < 5 ? 0 : Math.min(DEFAULT_WEIGHT, DEFAULT_WEIGHT * points / 30.0);
    }
}

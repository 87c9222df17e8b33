package dev.r1j.verifiers.eval;

import java.util.Arrays;
import org.apache.commons.math3.stat.interval.WilsonScoreInterval;
import java.util.SplittableRandom;

/**
 * A 95% confidence interval of a benchmark metric, over problems.
 * <ul>
 *   <li>{@link #wilson}: the Wilson score interval of a proportion, used when every problem contributes 0 or 1
 *       (maj@k, or pass@1 with one sample per problem); it stays inside [0, 1] and behaves at 0 and 1 successes,
 *       unlike the normal approximation;</li>
 *   <li>{@link #bootstrap}: the percentile bootstrap of the mean over problems (resampling problems with replacement,
 *       a fixed seed so reports are reproducible), used when problems contribute fractions (pass@k from several
 *       samples per problem). It reflects the spread across problems, not the sampling noise within a problem.</li>
 * </ul>
 *
 * <pre>{@code
 * ConfidenceInterval ci = ConfidenceInterval.wilson(45, 50);   // [0.786, 0.957]
 * }</pre>
 */
public record ConfidenceInterval(double low, double high, String method) {
    /** The normal quantile of a two-sided 95% interval. */
    public static final double Z95 = 1.959963984540054;
    public static final int DEFAULT_RESAMPLES = 2000;
    public static final long DEFAULT_SEED = 20211;

    /**
     * The 95% Wilson score interval of {@code successes} out of {@code n}, computed by commons-math3's
     * {@link WilsonScoreInterval} (clamped to [0, 1] against rounding at 0 or n successes).
     */
    public static ConfidenceInterval wilson(long successes, long n) {
        if (n <= 0 || successes < 0 || successes > n) {
            throw new IllegalArgumentException("wilson interval needs 0 <= successes <= n, n > 0; got " + successes + "/" + n);
        }
        org.apache.commons.math3.stat.interval.ConfidenceInterval ci = new WilsonScoreInterval()
                .createInterval(Math.toIntExact(n), Math.toIntExact(successes), 0.95);
        return new ConfidenceInterval(Math.max(0, ci.getLowerBound()), Math.min(1, ci.getUpperBound()), "wilson");
    }

    /** The 95% percentile-bootstrap interval of the mean of {@code values}. */
    public static ConfidenceInterval bootstrap(double[] values, int resamples, long seed) {
        if (values.length == 0 || resamples < 1) {
            throw new IllegalArgumentException("bootstrap needs values and resamples >= 1");
        }
        SplittableRandom rng = new SplittableRandom(seed);
        double[] means = new double[resamples];
        for (int r = 0; r < resamples; r++) {
            double sum = 0;
            for (int i = 0; i < values.length; i++) {
                sum += values[rng.nextInt(values.length)];
            }
            means[r] = sum / values.length;
        }
        Arrays.sort(means);
        return new ConfidenceInterval(quantile(means, 0.025), quantile(means, 0.975), "bootstrap");
    }

    /** Wilson when every value is 0 or 1, else the bootstrap with the default resamples and seed. */
    public static ConfidenceInterval of(double[] perProblem) {
        long ones = 0;
        for (double v : perProblem) {
            if (v == 1.0) {
                ones++;
            } else if (v != 0.0) {
                return bootstrap(perProblem, DEFAULT_RESAMPLES, DEFAULT_SEED);
            }
        }
        return wilson(ones, perProblem.length);
    }

    /** Linear interpolation between order statistics (numpy's default). */
    static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}

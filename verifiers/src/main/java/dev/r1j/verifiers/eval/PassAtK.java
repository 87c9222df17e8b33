package dev.r1j.verifiers.eval;

/**
 * The unbiased pass@k estimator of Chen et al. 2021 ("Evaluating Large Language Models Trained on Code"): with
 * {@code n} samples of which {@code c} are correct, the probability that a random size-{@code k} subset holds at
 * least one correct sample, {@code 1 − C(n−c, k) / C(n, k)}. The binomials overflow quickly, so it is computed as
 * the paper's numerically stable product {@code 1 − Π_{i=n−c+1}^{n} (1 − k / i)}.
 *
 * <pre>{@code
 * PassAtK.estimate(10, 3, 1);   // 0.3
 * PassAtK.estimate(4, 1, 2);    // 1 − C(3,2)/C(4,2) = 0.5
 * }</pre>
 */
public final class PassAtK {
    private PassAtK() {}

    /**
     * @throws IllegalArgumentException unless {@code 0 <= c <= n} and {@code 1 <= k <= n}
     */
    public static double estimate(int n, int c, int k) {
        if (n < 1 || c < 0 || c > n || k < 1 || k > n) {
            throw new IllegalArgumentException("pass@k needs 0 <= c <= n and 1 <= k <= n, got n=" + n + " c=" + c + " k=" + k);
        }
        if (n - c < k) {
            return 1.0; // every size-k subset contains a correct sample
        }
        double allWrong = 1.0;
        for (int i = n - c + 1; i <= n; i++) {
            allWrong *= 1.0 - (double) k / i;
        }
        return 1.0 - allWrong;
    }
}

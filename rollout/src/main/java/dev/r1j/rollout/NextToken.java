package dev.r1j.rollout;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Java-side choice of the next token from one row of raw logits: greedy, temperature, top-k and top-p (nucleus)
 * sampling, and the behaviour log-prob of the chosen token.
 *
 * <p>Order of the filters is the one of Hugging Face {@code generate} and vLLM: divide by the temperature, keep the
 * {@code topK} largest logits, then keep the smallest prefix (in descending probability) whose mass reaches
 * {@code topP}; the token that crosses the threshold is kept, so at least one token always survives. Ties are broken
 * towards the lower token id, as {@code torch.argmax} does.
 *
 * <pre>{@code
 * float[] row = ...;                                  // vocab logits of one sequence
 * int token = NextToken.sample(row, 0, row.length, 0.7, 0.95, 50, rng);
 * double lp = NextToken.logSoftmaxAt(row, 0, row.length, token);
 * }</pre>
 */
public final class NextToken {
    private NextToken() {}

    /** The kept tokens, in descending probability, with their renormalised probabilities (summing to 1). */
    public record Candidates(int[] tokens, double[] probs) {}

    /** Index of the largest logit in {@code logits[offset, offset + vocab)} (first one on ties). */
    public static int argmax(float[] logits, int offset, int vocab) {
        int best = 0;
        float bestValue = logits[offset];
        for (int v = 1; v < vocab; v++) {
            float x = logits[offset + v];
            if (x > bestValue) {
                bestValue = x;
                best = v;
            }
        }
        checkFinite(bestValue);
        return best;
    }

    /** {@code log softmax(logits)[token]}, computed in double precision over the raw (unscaled) logits. */
    public static double logSoftmaxAt(float[] logits, int offset, int vocab, int token) {
        return logSoftmaxAt(logits, offset, vocab, token, 1.0);
    }

    /**
     * {@code log softmax(logits / temperature)[token]}: the log-prob of {@code token} under the distribution a
     * sampler at {@code temperature} draws from (before top-k/top-p truncation, as TRL and veRL compute it);
     * {@code temperature} 0 (greedy) or 1 uses the raw logits.
     */
    public static double logSoftmaxAt(float[] logits, int offset, int vocab, int token, double temperature) {
        double t = temperature > 0 ? temperature : 1.0;
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) max = Math.max(max, logits[offset + v]);
        checkFinite((float) max);
        double sum = 0;
        for (int v = 0; v < vocab; v++) sum += Math.exp((logits[offset + v] - max) / t);
        return (logits[offset + token] - max) / t - Math.log(sum);
    }

    /**
     * The tokens that survive temperature, top-k and top-p, with the probabilities they are sampled with.
     *
     * @param temperature must be positive (greedy decoding does not sample)
     * @param topP in (0, 1]; 1 disables it
     * @param topK 0 disables it
     */
    public static Candidates candidates(float[] logits, int offset, int vocab, double temperature, double topP, int topK) {
        if (!(temperature > 0)) throw new IllegalArgumentException("temperature must be > 0 to sample, got " + temperature);
        int keep = topK > 0 ? Math.min(topK, vocab) : vocab;
        int[] order = descendingOrder(logits, offset, vocab, keep);
        double max = logits[offset + order[0]];
        checkFinite((float) max);
        double[] p = new double[keep];
        double sum = 0;
        for (int i = 0; i < keep; i++) {
            p[i] = Math.exp((logits[offset + order[i]] - max) / temperature);
            sum += p[i];
        }
        int n = keep;
        if (topP < 1) {
            double cumulative = 0;
            for (int i = 0; i < keep; i++) {
                cumulative += p[i] / sum;
                if (cumulative >= topP) {
                    n = i + 1;
                    break;
                }
            }
        }
        double kept = 0;
        for (int i = 0; i < n; i++) kept += p[i];
        double[] probs = new double[n];
        for (int i = 0; i < n; i++) probs[i] = p[i] / kept;
        return new Candidates(Arrays.copyOf(order, n), probs);
    }

    /**
     * Samples one token. {@code temperature == 0} is greedy (no random number is drawn). Without top-k or top-p no
     * sort is needed: one pass computes the weights and a second walks them.
     */
    public static int sample(
            float[] logits, int offset, int vocab, double temperature, double topP, int topK, SplittableRandom rng) {
        if (temperature == 0) return argmax(logits, offset, vocab);
        if (topK > 0 && topK < vocab || topP < 1) {
            Candidates c = candidates(logits, offset, vocab, temperature, topP, topK);
            return c.tokens()[pick(c.probs(), c.probs().length, 1.0, rng)];
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) max = Math.max(max, logits[offset + v]);
        checkFinite((float) max);
        double[] w = new double[vocab];
        double sum = 0;
        for (int v = 0; v < vocab; v++) {
            w[v] = Math.exp((logits[offset + v] - max) / temperature);
            sum += w[v];
        }
        return pick(w, vocab, sum, rng);
    }

    /** Inverse-CDF draw over unnormalised weights {@code w[0, n)} with total {@code sum}. */
    private static int pick(double[] w, int n, double sum, SplittableRandom rng) {
        double u = rng.nextDouble() * sum;
        double cumulative = 0;
        for (int i = 0; i < n; i++) {
            cumulative += w[i];
            if (u < cumulative) return i;
        }
        // Rounding can leave u just above the last partial sum: fall back to the last token with weight.
        for (int i = n - 1; i >= 0; i--) if (w[i] > 0) return i;
        return n - 1;
    }

    /**
     * The {@code keep} largest logits' indices, largest first, lower index first on ties. Sorting primitive longs
     * that pack (descending float key, index) avoids boxing, which matters for 150k-token vocabularies.
     */
    static int[] descendingOrder(float[] logits, int offset, int vocab, int keep) {
        long[] keys = new long[vocab];
        for (int v = 0; v < vocab; v++) {
            int bits = Float.floatToIntBits(logits[offset + v]);
            int ascending = bits ^ ((bits >> 31) & 0x7fffffff); // monotone in the float value
            keys[v] = ((long) ~ascending << 32) | v;
        }
        Arrays.sort(keys);
        int[] order = new int[keep];
        for (int i = 0; i < keep; i++) order[i] = (int) keys[i];
        return order;
    }

    private static void checkFinite(float max) {
        if (Float.isNaN(max) || max == Float.NEGATIVE_INFINITY) {
            throw new IllegalStateException("the model produced logits that are NaN or all -infinity");
        }
    }
}

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
        long[] keys = descendingKeys(logits, offset, vocab);
        if (topK > 0 && topK < vocab) {
            selectSmallest(keys, topK); // only the k kept logits are ordered
            return nucleus(logits, offset, keys, topK, temperature, topP, Double.NaN);
        }
        if (topP >= 1) {
            Arrays.sort(keys);
            return nucleus(logits, offset, keys, vocab, temperature, topP, Double.NaN);
        }
        // top-p over the whole vocabulary: its mass is known without sorting, and a trained model's nucleus is
        // usually a few tokens, so order the 256, then 4096 largest logits and only then all of them (a flat
        // distribution, e.g. random weights, pays two quickselects more than one full sort)
        double max = logits[offset + argmax(logits, offset, vocab)];
        double total = 0;
        for (int v = 0; v < vocab; v++) total += Math.exp((logits[offset + v] - max) / temperature);
        for (int prefix = Math.min(vocab, 256); ; prefix = prefix < 4096 ? Math.min(vocab, 4096) : vocab) {
            selectSmallest(keys, prefix);
            Candidates c = nucleus(logits, offset, keys, prefix, temperature, topP, total);
            if (c != null) return c;
        }
    }

    /**
     * The first {@code n} of the ordered {@code keys} ({@link #descendingKeys}) as candidates: their weights
     * {@code exp((z - max) / T)}, the shortest prefix whose share of {@code total} reaches {@code topP} (total NaN:
     * the sum over these {@code n}), renormalised. Null when {@code total} is given and these {@code n} do not reach
     * {@code topP} of it while more tokens exist (the caller orders a longer prefix).
     */
    private static Candidates nucleus(float[] logits, int offset, long[] keys, int n, double temperature, double topP,
            double total) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = (int) keys[i];
        double max = logits[offset + order[0]];
        checkFinite((float) max);
        double[] p = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            p[i] = Math.exp((logits[offset + order[i]] - max) / temperature);
            sum += p[i];
        }
        double mass = Double.isNaN(total) ? sum : total;
        int kept = n;
        if (topP < 1) {
            kept = -1;
            double cumulative = 0;
            for (int i = 0; i < n; i++) {
                cumulative += p[i] / mass;
                if (cumulative >= topP) {
                    kept = i + 1;
                    break;
                }
            }
            if (kept < 0) {
                if (!Double.isNaN(total) && n < keys.length) return null;
                kept = n; // rounding left the whole set just short of topP: keep all of it
            }
        }
        double keptMass = 0;
        for (int i = 0; i < kept; i++) keptMass += p[i];
        double[] probs = new double[kept];
        for (int i = 0; i < kept; i++) probs[i] = p[i] / keptMass;
        return new Candidates(Arrays.copyOf(order, kept), probs);
    }

    /** A chosen token and its behaviour log-prob, {@code log softmax(logits / T)[token]} (before top-k/top-p). */
    public record Choice(int token, double logprob) {}

    /**
     * {@link #sample} and {@link #logSoftmaxAt} in one call, with the same results: without top-k or top-p the
     * softmax's weights are computed once for both (at a 150k vocabulary that pass over the logits is most of the
     * Java-side cost of a decode step).
     *
     * <pre>{@code
     * NextToken.Choice c = NextToken.choose(row, 0, row.length, 1.0, 1.0, 0, rng); // c.token(), c.logprob()
     * }</pre>
     */
    public static Choice choose(
            float[] logits, int offset, int vocab, double temperature, double topP, int topK, SplittableRandom rng) {
        if (temperature == 0 || topK > 0 && topK < vocab || topP < 1) {
            int token = sample(logits, offset, vocab, temperature, topP, topK, rng);
            return new Choice(token, logSoftmaxAt(logits, offset, vocab, token, temperature));
        }
        return unfiltered(logits, offset, vocab, temperature, rng);
    }

    /** A draw from softmax(z / T) over the whole vocabulary: one pass computes the weights, a second walks them. */
    private static Choice unfiltered(float[] logits, int offset, int vocab, double temperature, SplittableRandom rng) {
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) max = Math.max(max, logits[offset + v]);
        checkFinite((float) max);
        double[] w = new double[vocab];
        double sum = 0;
        for (int v = 0; v < vocab; v++) {
            w[v] = Math.exp((logits[offset + v] - max) / temperature);
            sum += w[v];
        }
        int token = pick(w, vocab, sum, rng);
        // logSoftmaxAt's arithmetic on the same max and sum, so the value is identical
        return new Choice(token, (logits[offset + token] - max) / temperature - Math.log(sum));
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
        return unfiltered(logits, offset, vocab, temperature, rng).token();
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

    /** One distinct long per token, ascending in (descending logit, ascending index): the low 32 bits are the index. */
    private static long[] descendingKeys(float[] logits, int offset, int vocab) {
        long[] keys = new long[vocab];
        for (int v = 0; v < vocab; v++) {
            int bits = Float.floatToIntBits(logits[offset + v]);
            int ascending = bits ^ ((bits >> 31) & 0x7fffffff); // monotone in the float value
            keys[v] = ((long) ~ascending << 32) | v;
        }
        return keys;
    }

    /**
     * Rearranges {@code a} so that its {@code n} smallest values come first, in ascending order (the rest in no
     * order): a quickselect then a sort of the prefix, O(length + n log n) instead of a full sort. The values are
     * distinct, so the prefix is exactly that of a full sort.
     */
    static void selectSmallest(long[] a, int n) {
        if (n >= a.length) {
            Arrays.sort(a);
            return;
        }
        int lo = 0;
        int hi = a.length - 1;
        while (lo < hi) { // invariant: positions < lo hold values below those at >= lo; the n-th smallest is in [lo, hi]
            long pivot = median(a[lo], a[(lo + hi) >>> 1], a[hi]);
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (a[i] < pivot) i++;
                while (a[j] > pivot) j--;
                if (i <= j) {
                    long t = a[i];
                    a[i++] = a[j];
                    a[j--] = t;
                }
            }
            if (n - 1 <= j) {
                hi = j;
            } else if (n - 1 >= i) {
                lo = i;
            } else {
                break; // the n-th smallest is the pivot, between the two parts
            }
        }
        Arrays.sort(a, 0, n);
    }

    private static long median(long x, long y, long z) {
        return Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
    }

    private static void checkFinite(float max) {
        if (Float.isNaN(max) || max == Float.NEGATIVE_INFINITY) {
            throw new IllegalStateException("the model produced logits that are NaN or all -infinity");
        }
    }
}

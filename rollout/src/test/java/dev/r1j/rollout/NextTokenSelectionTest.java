package dev.r1j.rollout;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The decode step's faster token choice (partial selection instead of a full sort of the vocabulary, one pass of
 * exp for token and log-prob) against a naive reference kept here: the full-sort implementation NextToken had
 * before, applied literally. Same kept tokens in the same order, the same probabilities, the same sampled tokens
 * from the same random streams, bit-identical log-probs.
 */
class NextTokenSelectionTest {

    /** The reference: sort every token by (logit desc, id asc), weights over the top-k, then the top-p prefix. */
    private static NextToken.Candidates reference(float[] z, int vocab, double t, double topP, int topK) {
        Integer[] ids = new Integer[vocab];
        for (int i = 0; i < vocab; i++) ids[i] = i;
        Arrays.sort(ids, (a, b) -> z[a] != z[b] ? Float.compare(z[b], z[a]) : Integer.compare(a, b));
        int keep = topK > 0 ? Math.min(topK, vocab) : vocab;
        double max = z[ids[0]];
        double[] p = new double[keep];
        double sum = 0;
        for (int i = 0; i < keep; i++) {
            p[i] = Math.exp((z[ids[i]] - max) / t);
            sum += p[i];
        }
        int n = keep;
        if (topP < 1) {
            double c = 0;
            for (int i = 0; i < keep; i++) {
                c += p[i] / sum;
                if (c >= topP) {
                    n = i + 1;
                    break;
                }
            }
        }
        double kept = 0;
        for (int i = 0; i < n; i++) kept += p[i];
        int[] tokens = new int[n];
        double[] probs = new double[n];
        for (int i = 0; i < n; i++) {
            tokens[i] = ids[i];
            probs[i] = p[i] / kept;
        }
        return new NextToken.Candidates(tokens, probs);
    }

    /** Logit rows of several shapes: flat, peaked, heavy ties (rounded to a few values), a few -inf. */
    private static float[] row(SplittableRandom rng, int vocab, int kind) {
        float[] z = new float[vocab];
        for (int i = 0; i < vocab; i++) {
            double g = rng.nextGaussian();
            z[i] = switch (kind) {
                case 0 -> (float) (0.02 * g); // nearly uniform: the nucleus is most of the vocabulary
                case 1 -> (float) (3 * g); // peaked
                case 2 -> (float) Math.round(2 * g); // many exact ties
                default -> i % 7 == 0 ? Float.NEGATIVE_INFINITY : (float) g;
            };
        }
        return z;
    }

    @Test
    void candidatesEqualTheFullSortReference() {
        SplittableRandom rng = new SplittableRandom(12);
        double[] topPs = {1.0, 0.95, 0.5, 0.1, 0.999};
        int[] topKs = {0, 1, 5, 50, 300, 4999, 5000, 6000};
        int vocab = 5000;
        for (int kind = 0; kind < 4; kind++) {
            float[] z = row(rng, vocab, kind);
            for (double t : new double[] {1.0, 0.7, 1.3}) {
                for (double topP : topPs) {
                    for (int topK : topKs) {
                        if (topP == 1.0 && topK == 0) continue; // no filter: not a candidates() case for sample()
                        NextToken.Candidates want = reference(z, vocab, t, topP, topK);
                        NextToken.Candidates got = NextToken.candidates(z, 0, vocab, t, topP, topK);
                        String at = "kind " + kind + ", T " + t + ", top-p " + topP + ", top-k " + topK;
                        assertArrayEquals(want.tokens(), got.tokens(), at);
                        assertArrayEquals(want.probs(), got.probs(), 1e-12, at);
                    }
                }
            }
        }
    }

    @Test
    void sampledTokensAndLogProbsAreUnchangedAtAVocabularyOf150k() {
        int vocab = 151_936;
        SplittableRandom data = new SplittableRandom(5);
        for (int kind = 0; kind < 4; kind++) {
            float[] z = row(data, vocab, kind);
            for (double[] s : new double[][] {{1.0, 1.0, 0}, {0.8, 1.0, 0}, {1.0, 0.95, 0}, {1.0, 0.9, 50}, {1.0, 1.0, 20},
                    {0.0, 1.0, 0}}) {
                double t = s[0];
                double topP = s[1];
                int topK = (int) s[2];
                NextToken.Candidates ref = t > 0 && (topK > 0 || topP < 1) ? reference(z, vocab, t, topP, topK) : null;
                SplittableRandom a = new SplittableRandom(77);
                SplittableRandom b = new SplittableRandom(77);
                for (int draw = 0; draw < 20; draw++) {
                    NextToken.Choice c = NextToken.choose(z, 0, vocab, t, topP, topK, a);
                    String at = "kind " + kind + ", T " + t + ", top-p " + topP + ", top-k " + topK + ", draw " + draw;
                    int want = ref != null ? ref.tokens()[referencePick(ref.probs(), b)] : NextToken.sample(z, 0, vocab,
                            t, topP, topK, b);
                    assertEquals(want, c.token(), at);
                    // bit-identical to the separate log-softmax the sampler used before
                    assertEquals(NextToken.logSoftmaxAt(z, 0, vocab, c.token(), t), c.logprob(), 0.0, at);
                }
            }
        }
    }

    /** The inverse-CDF draw NextToken makes over renormalised probabilities (total 1). */
    private static int referencePick(double[] probs, SplittableRandom rng) {
        double u = rng.nextDouble();
        double c = 0;
        for (int i = 0; i < probs.length; i++) {
            c += probs[i];
            if (u < c) return i;
        }
        for (int i = probs.length - 1; i >= 0; i--) if (probs[i] > 0) return i;
        return probs.length - 1;
    }

    @Test
    void selectSmallestOrdersExactlyThePrefixAFullSortWould() {
        SplittableRandom rng = new SplittableRandom(3);
        for (int len : new int[] {1, 2, 3, 10, 257, 4096}) {
            for (int trial = 0; trial < 20; trial++) {
                long[] a = new long[len];
                // distinct values, some runs already sorted or reversed (the quickselect's bad cases)
                for (int i = 0; i < len; i++) a[i] = trial % 3 == 0 ? i : trial % 3 == 1 ? len - i : rng.nextLong();
                for (int i = 0; i < len; i++) a[i] = a[i] * 8192 + i; // keep them distinct
                long[] sorted = a.clone();
                Arrays.sort(sorted);
                int n = 1 + rng.nextInt(len);
                long[] b = a.clone();
                NextToken.selectSmallest(b, n);
                assertArrayEquals(Arrays.copyOf(sorted, n), Arrays.copyOf(b, n), "len " + len + ", n " + n);
                long[] all = b.clone();
                Arrays.sort(all);
                assertArrayEquals(sorted, all, "a permutation of the input");
            }
        }
    }
}

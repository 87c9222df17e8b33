package dev.r1j.core.grpo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.r1j.core.Djl;
import dev.r1j.core.FreedBuffers;
import dev.r1j.core.testing.RootManager;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PolicyLossTest {
    private static final int B = 4, T = 6, MAX_LEN = 10;
    private static final double LOW = 0.2, HIGH = 0.28;
    @RootManager private static NDManager root;

    // Inputs: row 2 is half masked, row 3 fully masked; old log-probs differ by up to +-0.5 so that the ratio
    // leaves the clip range on both sides.
    private static final double[] ADV = {1.0, -0.7, 0.5, 0.9};
    private final double[][] newLp = new double[B][T];
    private final double[][] oldLp = new double[B][T];
    private final double[][] refLp = new double[B][T];
    private final double[][] mask = new double[B][T];
    private final double[][] entropy = new double[B][T];

    PolicyLossTest() {
        Random rnd = new Random(11);
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) {
                newLp[b][t] = -0.2 - 2 * rnd.nextDouble();
                oldLp[b][t] = newLp[b][t] + (rnd.nextDouble() - 0.5);
                refLp[b][t] = newLp[b][t] + 0.6 * (rnd.nextDouble() - 0.5);
                mask[b][t] = b < 2 || (b == 2 && t < 3) ? 1 : 0;
                entropy[b][t] = 3 * rnd.nextDouble();
            }
        }
    }

    /** The naive reference: loss and d loss / d new per token, in doubles. */
    private static final class Naive {
        double loss;
        final double[][] grad = new double[B][T];
        final boolean[][] clippedSide = new boolean[B][T];
        final boolean[][] dualClipped = new boolean[B][T];
        int kept;
        final double[] rowTermSum = new double[B]; // sum of the counted tokens' unweighted terms per row
    }

    private Naive naive(LossType type, double beta, boolean useRef, double normTokens, int normSeqs) {
        return naive(type, beta, useRef, normTokens, normSeqs, PolicyLoss.Variants.NONE);
    }

    /**
     * The naive objective with its variants: the ratio per token or per sequence (GSPO: exp of the mean log-ratio over
     * the sequence's counted tokens, the same for each of them), the KL by k1/k2/k3, dual clip at c for A < 0.
     */
    private Naive naive(LossType type, double beta, boolean useRef, double normTokens, int normSeqs,
            PolicyLoss.Variants v) {
        Naive n = new Naive();
        boolean gspo = v.importanceSamplingLevel() == ImportanceSamplingLevel.SEQUENCE;
        double localTokens = tokens();
        // top_entropy_quantile q keeps the counted tokens with at least ceil((1 - q)(n - 1)) counted tokens of lower
        // entropy below them (the values are distinct): the rank form of "entropy >= the (1 - q) quantile".
        int n0 = (int) localTokens;
        int minRank = (int) Math.ceil((1 - v.topEntropyQuantile()) * (n0 - 1) - 1e-9);
        for (int b = 0; b < B; b++) {
            double rowTokens = 0, rowLogRatio = 0;
            for (int t = 0; t < T; t++) {
                rowTokens += mask[b][t];
                rowLogRatio += mask[b][t] * (newLp[b][t] - oldLp[b][t]);
            }
            double seqRatio = Math.exp(rowLogRatio / Math.max(rowTokens, 1));
            double[] w = new double[T];
            double[] dLossDRatio = new double[T];
            for (int t = 0; t < T; t++) {
                double r = gspo ? seqRatio : Math.exp(newLp[b][t] - oldLp[b][t]);
                double a = ADV[b];
                double un = r * a, cl = Math.max(1 - LOW, Math.min(1 + HIGH, r)) * a;
                double term, dr; // the policy term and its derivative in the ratio
                double direct = 0; // CISPO's derivative in the log-prob itself (its weight is a constant)
                if (type == LossType.CISPO) {
                    double weight = Math.min(r, 1 + HIGH);
                    term = -weight * a * newLp[b][t];
                    dr = 0;
                    direct = -weight * a;
                } else if (un <= cl) {
                    term = -un;
                    dr = -a;
                } else {
                    term = -cl;
                    dr = 0;
                    n.clippedSide[b][t] = true;
                }
                if (v.dualClip() > 0 && a < 0 && term > v.dualClip() * -a) {
                    term = v.dualClip() * -a;
                    dr = 0;
                    n.dualClipped[b][t] = true;
                }
                int rank = 0;
                for (int b2 = 0; b2 < B; b2++) {
                    for (int t2 = 0; t2 < T; t2++) if (mask[b2][t2] > 0 && entropy[b2][t2] < entropy[b][t]) rank++;
                }
                if (mask[b][t] > 0 && rank >= minRank) {
                    n.kept++;
                } else {
                    term = 0; // below the entropy quantile: no policy term (the KL term below still counts)
                    dr = 0;
                    direct = 0;
                }
                double g = direct;
                if (useRef) {
                    double d = refLp[b][t] - newLp[b][t];
                    switch (v.klEstimator()) {
                        case K1 -> { term += beta * -d; g += beta; }
                        case K2 -> { term += beta * d * d / 2; g += beta * -d; }
                        case K3 -> { term += beta * (Math.exp(d) - d - 1); g += beta * (1 - Math.exp(d)); }
                    }
                }
                w[t] = switch (type) {
                    case GRPO -> mask[b][t] / Math.max(rowTokens, 1) / normSeqs;
                    case DAPO, CISPO -> mask[b][t] / Math.max(normTokens, 1);
                    case DR_GRPO -> mask[b][t] / ((double) normSeqs * MAX_LEN);
                    case BNPO -> mask[b][t] / Math.max(localTokens, 1);
                };
                n.loss += w[t] * term;
                n.rowTermSum[b] += mask[b][t] * term;
                n.grad[b][t] = w[t] * g;
                dLossDRatio[t] = w[t] * dr;
            }
            for (int k = 0; k < T; k++) {
                if (!gspo) {
                    n.grad[b][k] += dLossDRatio[k] * Math.exp(newLp[b][k] - oldLp[b][k]);
                } else {
                    // d seqRatio / d new_k = seqRatio * mask_k / L, and every token's term depends on seqRatio
                    double sum = 0;
                    for (int t = 0; t < T; t++) sum += dLossDRatio[t];
                    n.grad[b][k] += sum * seqRatio * mask[b][k] / Math.max(rowTokens, 1);
                }
            }
        }
        return n;
    }

    private NDArray arr(NDManager m, double[][] x) {
        float[] flat = new float[B * T];
        for (int b = 0; b < B; b++) for (int t = 0; t < T; t++) flat[b * T + t] = (float) x[b][t];
        return m.create(flat, new Shape(B, T));
    }

    private NDArray adv(NDManager m) {
        float[] a = new float[B];
        for (int b = 0; b < B; b++) a[b] = (float) ADV[b];
        return m.create(a);
    }

    private double tokens() {
        double s = 0;
        for (double[] row : mask) for (double v : row) s += v;
        return s;
    }

    @Test
    void eachAggregationAndItsGradientMatchTheNaiveImplementation() {
        for (LossType type : LossType.values()) {
            for (double beta : new double[] {0.0, 0.05}) {
                try (NDManager m = root.newSubManager()) {
                    NDArray x = arr(m, newLp);
                    x.setRequiresGradient(true);
                    PolicyLoss pl = new PolicyLoss(type, new Clip(LOW, HIGH), beta, MAX_LEN);
                    PolicyLoss.Result res;
                    try (GradientCollector gc = Djl.engine().newGradientCollector()) {
                        res = pl.compute(x, arr(m, oldLp), beta > 0 ? arr(m, refLp) : null, adv(m), arr(m, mask),
                                null, null);
                        res.loss().getFloat();
                        // free every unreferenced Java buffer before backward, as a GC may (issue 18): the gradient
                        // must not depend on it
                        FreedBuffers.now();
                        gc.backward(res.loss());
                    }
                    Naive n = naive(type, beta, beta > 0, tokens(), B);
                    String what = type + " beta=" + beta;
                    assertEquals(n.loss, res.loss().getFloat(), 1e-6, what);
                    float[] g = x.getGradient().toFloatArray();
                    int clipped = 0, free = 0;
                    for (int b = 0; b < B; b++) {
                        for (int t = 0; t < T; t++) {
                            assertEquals(n.grad[b][t], g[b * T + t], 1e-6, what + " grad " + b + "," + t);
                            if (mask[b][t] == 0) {
                                assertEquals(0f, g[b * T + t], 0f, what + " masked token " + b + "," + t);
                            } else if (beta == 0 && n.clippedSide[b][t]) {
                                clipped++;
                                assertEquals(0f, g[b * T + t], 0f, what + " clipped token " + b + "," + t);
                            } else if (beta == 0) {
                                free++;
                                assertNotEquals(0f, g[b * T + t], what + " unclipped token " + b + "," + t);
                            }
                        }
                    }
                    if (beta == 0 && type != LossType.CISPO) { // CISPO clips no token out of the gradient
                        assertTrue(clipped >= 2 && free >= 2, "data must exercise both sides: " + clipped);
                    }
                }
            }
        }
    }

    @Test
    void everyVariantAndItsGradientMatchTheNaiveImplementation() {
        int dualClipped = 0;
        for (LossType type : LossType.values()) {
            for (ImportanceSamplingLevel level : ImportanceSamplingLevel.values()) {
                for (KlEstimator kl : KlEstimator.values()) {
                    for (double c : new double[] {0, 1.2}) {
                      for (double q : new double[] {1.0, 0.5, 0.2}) {
                        if (q < 1 && level == ImportanceSamplingLevel.SEQUENCE) continue; // refused by GrpoConfig
                        if (type == LossType.CISPO && (c > 0 || level == ImportanceSamplingLevel.SEQUENCE)) continue;
                        for (double beta : new double[] {0.0, 0.05}) {
                            if (beta == 0 && kl != KlEstimator.K3) continue; // the estimator is unused
                            PolicyLoss.Variants v = new PolicyLoss.Variants(level, kl, c, q);
                            String what = type + " " + v + " beta=" + beta;
                            try (NDManager m = root.newSubManager()) {
                                NDArray x = arr(m, newLp);
                                x.setRequiresGradient(true);
                                PolicyLoss pl = new PolicyLoss(type, new Clip(LOW, HIGH), beta, MAX_LEN, v);
                                PolicyLoss.Result res;
                                try (GradientCollector gc = Djl.engine().newGradientCollector()) {
                                    res = pl.compute(x, arr(m, oldLp), beta > 0 ? arr(m, refLp) : null, adv(m),
                                            arr(m, mask), q < 1 ? arr(m, entropy) : null, null);
                                    gc.backward(res.loss());
                                }
                                Naive n = naive(type, beta, beta > 0, tokens(), B, v);
                                assertEquals(n.loss, res.loss().getFloat(), 2e-6, what);
                                // 15 counted tokens: q = 0.5 keeps the top 8 (rank >= 7), q = 0.2 the top 3 (> 11.2)
                                assertEquals(q == 1 ? 15 : q == 0.5 ? 8 : 3, n.kept, what);
                                float[] g = x.getGradient().toFloatArray();
                                for (int b = 0; b < B; b++) {
                                    for (int t = 0; t < T; t++) {
                                        assertEquals(n.grad[b][t], g[b * T + t], 2e-6, what + " grad " + b + "," + t);
                                        if (n.dualClipped[b][t] && mask[b][t] > 0) {
                                            dualClipped++;
                                            if (beta == 0) assertEquals(0f, g[b * T + t], 0f, what + " capped");
                                        }
                                    }
                                }
                                if (beta > 0 && kl != KlEstimator.K3) {
                                    // the estimators' gradients differ on this data by far more than the tolerance
                                    // above, so the comparison can tell them apart
                                    Naive k3 = naive(type, beta, true, tokens(), B,
                                            new PolicyLoss.Variants(level, KlEstimator.K3, c, q));
                                    double most = 0;
                                    for (int b = 0; b < B; b++) {
                                        for (int t = 0; t < T; t++) {
                                            most = Math.max(most, Math.abs(k3.grad[b][t] - n.grad[b][t]));
                                        }
                                    }
                                    assertTrue(most > 2e-5, what + ": " + most);
                                }
                            }
                        }
                      }
                    }
                }
            }
        }
        assertTrue(dualClipped > 0, "the data must reach the dual clip");
    }

    @Test
    void gspoRatioIsTheSequencesLengthNormalisedRatioByHand() {
        // One sequence of 3 tokens, the last masked: log-ratios 0.3 and 0.1 give s = exp(0.2) = 1.2214 > 1 + 0.2,
        // so with A = 1 the sequence is clipped: loss -1.2 and no gradient; with A = -1 it is not: loss s, and
        // d loss / d new_k = s / 2 for the two counted tokens, 0 for the masked one.
        try (NDManager m = root.newSubManager()) {
            PolicyLoss gspo = new PolicyLoss(LossType.GRPO, new Clip(0.2, 0.2), 0, MAX_LEN,
                    new PolicyLoss.Variants(ImportanceSamplingLevel.SEQUENCE, KlEstimator.K3, 0));
            for (float a : new float[] {1f, -1f}) {
                NDArray x = m.create(new float[] {-1.0f, -2.0f, -0.5f}, new Shape(1, 3));
                x.setRequiresGradient(true);
                PolicyLoss.Result r;
                try (GradientCollector gc = Djl.engine().newGradientCollector()) {
                    r = gspo.compute(x, m.create(new float[] {-1.3f, -2.1f, -9f}, new Shape(1, 3)), null,
                            m.create(new float[] {a}), m.create(new float[] {1, 1, 0}, new Shape(1, 3)), null, null);
                    gc.backward(r.loss());
                }
                double s = Math.exp(0.2);
                float[] g = x.getGradient().toFloatArray();
                if (a > 0) {
                    assertEquals(-1.2, r.loss().getFloat(), 1e-6);
                    assertEquals(0f, g[0] + Math.abs(g[1]) + Math.abs(g[2]), 0f);
                    assertEquals(1.0, r.stats().clipFracHigh(), 0);
                } else {
                    assertEquals(s, r.loss().getFloat(), 1e-6);
                    assertEquals(s / 2, g[0], 1e-6);
                    assertEquals(s / 2, g[1], 1e-6);
                    assertEquals(0f, g[2], 0f);
                }
                assertEquals(s, r.stats().ratioMean(), 1e-6);
            }
        }
    }

    @Test
    void cispoKeepsTheGradientOfATokenPpoClipsByHand() {
        // new -1, old -1.5: ratio e^0.5 = 1.649 > 1 + 0.28. PPO with A = 1 is on the clipped side (gradient 0); CISPO's
        // weight is min(1.649, 1.28) = 1.28 as a constant: loss -1.28 * 1 * (-1) = 1.28, gradient -1.28.
        try (NDManager m = root.newSubManager()) {
            for (LossType type : new LossType[] {LossType.DAPO, LossType.CISPO}) {
                NDArray x = m.create(new float[] {-1f}, new Shape(1, 1));
                x.setRequiresGradient(true);
                PolicyLoss.Result r;
                try (GradientCollector gc = Djl.engine().newGradientCollector()) {
                    r = new PolicyLoss(type, new Clip(0.2, 0.28), 0, MAX_LEN).compute(x,
                            m.create(new float[] {-1.5f}, new Shape(1, 1)), null, m.create(new float[] {1f}),
                            m.ones(new Shape(1, 1)), null, null);
                    gc.backward(r.loss());
                }
                boolean cispo = type == LossType.CISPO;
                assertEquals(cispo ? 1.28 : -1.28, r.loss().getFloat(), 1e-6, type.toString());
                assertEquals(cispo ? -1.28 : 0.0, x.getGradient().getFloat(), 1e-6, type.toString());
            }
        }
    }

    @Test
    void dualClipBoundsANegativeAdvantageTokenByHand() {
        // ratio e^1 = 2.718 with A = -0.5: PPO's loss 1.359 (unbounded in the ratio); dual clip c = 2 caps it at 1.0.
        try (NDManager m = root.newSubManager()) {
            for (double c : new double[] {0, 2}) {
                NDArray x = m.create(new float[] {-1f}, new Shape(1, 1));
                x.setRequiresGradient(true);
                PolicyLoss.Result r;
                try (GradientCollector gc = Djl.engine().newGradientCollector()) {
                    r = new PolicyLoss(LossType.DAPO, new Clip(0.2, 0.2), 0, MAX_LEN,
                            new PolicyLoss.Variants(ImportanceSamplingLevel.TOKEN, KlEstimator.K3, c))
                            .compute(x, m.create(new float[] {-2f}, new Shape(1, 1)), null,
                                    m.create(new float[] {-0.5f}), m.ones(new Shape(1, 1)), null, null);
                    gc.backward(r.loss());
                }
                assertEquals(c == 0 ? 0.5 * Math.E : 1.0, r.loss().getFloat(), 1e-6);
                assertEquals(c == 0 ? 0.5 * Math.E : 0.0, x.getGradient().getFloat(), 1e-6);
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new PolicyLoss.Variants(ImportanceSamplingLevel.TOKEN, KlEstimator.K3, 1.0));
        assertTrue(e.getMessage().contains("dual_clip"), e.getMessage());
    }

    @Test
    void clipFractionsCountEachSide() {
        try (NDManager m = root.newSubManager()) {
            PolicyLoss.Result res = new PolicyLoss(LossType.DAPO, new Clip(LOW, HIGH), 0, MAX_LEN)
                    .compute(arr(m, newLp), arr(m, oldLp), null, adv(m), arr(m, mask), null, null);
            int low = 0, high = 0;
            double ratioSum = 0;
            for (int b = 0; b < B; b++) {
                for (int t = 0; t < T; t++) {
                    if (mask[b][t] == 0) continue;
                    double r = Math.exp(newLp[b][t] - oldLp[b][t]);
                    ratioSum += r;
                    if (r < 1 - LOW && ADV[b] < 0) low++;
                    if (r > 1 + HIGH && ADV[b] > 0) high++;
                }
            }
            LossStats s = res.stats();
            assertEquals(tokens(), s.tokens());
            assertEquals(low / tokens(), s.clipFracLow(), 1e-7);
            assertEquals(high / tokens(), s.clipFracHigh(), 1e-7);
            assertTrue(low + high > 0);
            assertEquals(ratioSum / tokens(), s.ratioMean(), 1e-6);
            assertTrue(Double.isNaN(s.kl()) && Double.isNaN(s.entropy()));
        }
    }

    @Test
    void firstIterationHasRatioExactlyOneAndLossMinusMeanAdvantage() {
        try (NDManager m = root.newSubManager()) {
            for (NDArray old : new NDArray[] {null, arr(m, newLp)}) {
                NDArray x = arr(m, newLp);
                PolicyLoss.Result res = new PolicyLoss(LossType.DAPO, new Clip(LOW, HIGH), 0, MAX_LEN)
                        .compute(x, old, null, adv(m), arr(m, mask), null, null);
                double want = 0;
                for (int b = 0; b < B; b++) for (int t = 0; t < T; t++) want -= ADV[b] * mask[b][t];
                want /= tokens();
                assertEquals(want, res.loss().getFloat(), 1e-6);
                assertEquals(1.0, res.stats().ratioMean());
                assertEquals(0.0, res.stats().clipFrac());
                // grpo: mean over sequences of -A (the fully masked row counts as 0).
                PolicyLoss.Result g = new PolicyLoss(LossType.GRPO, new Clip(LOW, HIGH), 0, MAX_LEN)
                        .compute(x, old, null, adv(m), arr(m, mask), null, null);
                assertEquals(-(ADV[0] + ADV[1] + ADV[2]) / B, g.loss().getFloat(), 1e-6);
            }
        }
    }

    @Test
    void klIsZeroAtTheReferenceAndK3Otherwise() {
        try (NDManager m = root.newSubManager()) {
            NDArray x = arr(m, newLp);
            PolicyLoss withKl = new PolicyLoss(LossType.DAPO, new Clip(LOW, HIGH), 0.1, MAX_LEN);
            PolicyLoss.Result same = withKl.compute(x, null, arr(m, newLp), adv(m), arr(m, mask), null, null);
            assertEquals(0.0, same.stats().kl());
            PolicyLoss.Result noKl = new PolicyLoss(LossType.DAPO, new Clip(LOW, HIGH), 0, MAX_LEN)
                    .compute(x, null, null, adv(m), arr(m, mask), null, null);
            assertEquals(noKl.loss().getFloat(), same.loss().getFloat(), 0f);

            // One token, new = -1, ref = -0.5: k3 = e^0.5 - 0.5 - 1 = 0.1487212707; A = 0 leaves only beta * k3.
            NDArray one = m.create(new float[] {-1f}, new Shape(1, 1));
            PolicyLoss.Result r = withKl.compute(one, null, m.create(new float[] {-0.5f}, new Shape(1, 1)),
                    m.create(new float[] {0f}), m.ones(new Shape(1, 1)), m.create(new float[] {2.5f}, new Shape(1, 1)),
                    null);
            assertEquals(0.1487212707, r.stats().kl(), 1e-6);
            assertEquals(0.1 * 0.1487212707, r.loss().getFloat(), 1e-7);
            assertEquals(2.5, r.stats().entropy(), 1e-7);
        }
    }

    @Test
    void accumulatedMicroBatchesEqualOneBigBatch() {
        for (LossType type : LossType.values()) {
          for (ImportanceSamplingLevel level : ImportanceSamplingLevel.values()) {
            try (NDManager m = root.newSubManager()) {
                PolicyLoss pl = new PolicyLoss(type, new Clip(LOW, HIGH), 0.05, MAX_LEN,
                        new PolicyLoss.Variants(level, KlEstimator.K3, 0));
                NDArray big = arr(m, newLp);
                big.setRequiresGradient(true);
                float bigLoss;
                try (GradientCollector gc = Djl.engine().newGradientCollector()) {
                    NDArray loss = pl.compute(big, arr(m, oldLp), arr(m, refLp), adv(m), arr(m, mask), null, null)
                            .loss();
                    gc.backward(loss);
                    bigLoss = loss.getFloat();
                }
                NDArray x = arr(m, newLp);
                x.setRequiresGradient(true);
                LossNormalizer whole = new LossNormalizer(tokens(), B);
                NDArray old = arr(m, oldLp), ref = arr(m, refLp), mk = arr(m, mask), a = adv(m);
                float sum = 0;
                for (String rows : new String[] {"0:1", "1:4"}) { // uneven split on purpose
                    try (GradientCollector gc = Djl.engine().newGradientCollector()) {
                        NDArray loss = pl.compute(x.get(rows), old.get(rows), ref.get(rows), a.get(rows),
                                mk.get(rows), null, whole).loss();
                        gc.backward(loss);
                        sum += loss.getFloat();
                    }
                }
                if (type == LossType.BNPO) {
                    // bnpo divides each micro-batch by its own tokens (3 of row 0, then 6 + 3 of rows 1-2), so the
                    // accumulated loss is not the big batch's 1/15-weighted one: check the own-count sum instead
                    Naive n = naive(LossType.BNPO, 0.05, true, tokens(), B,
                            new PolicyLoss.Variants(level, KlEstimator.K3, 0));
                    double rows0 = 0, rows1 = 0;
                    for (int t = 0; t < T; t++) rows0 += mask[0][t];
                    for (int b = 1; b < B; b++) for (int t = 0; t < T; t++) rows1 += mask[b][t];
                    double want = n.rowTermSum[0] / rows0
                            + (n.rowTermSum[1] + n.rowTermSum[2] + n.rowTermSum[3]) / rows1;
                    assertEquals(want, sum, 1e-6, "bnpo");
                    assertTrue(Math.abs(bigLoss - sum) > 1e-3, "bnpo must differ from one big batch here");
                    continue;
                }
                assertEquals(bigLoss, sum, 1e-6, type.toString());
                float[] gBig = big.getGradient().toFloatArray(), gAcc = x.getGradient().toFloatArray();
                for (int i = 0; i < gBig.length; i++) assertEquals(gBig[i], gAcc[i], 1e-7, type + " grad " + i);
            }
          }
        }
    }

    @Test
    void badShapesAreNamed() {
        try (NDManager m = root.newSubManager()) {
            PolicyLoss pl = new PolicyLoss(LossType.GRPO, new Clip(LOW, HIGH), 0.1, MAX_LEN);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pl.compute(
                    arr(m, newLp), m.zeros(new Shape(B, T + 1)), arr(m, refLp), adv(m), arr(m, mask), null, null));
            assertTrue(e.getMessage().startsWith("old log-probs"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> pl.compute(arr(m, newLp), null, null, adv(m), arr(m, mask), null, null));
            assertTrue(e.getMessage().contains("reference"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> pl.compute(
                    arr(m, newLp), null, arr(m, refLp), m.zeros(new Shape(B + 1)), arr(m, mask), null, null));
            assertTrue(e.getMessage().startsWith("advantages"), e.getMessage());
        }
    }
}

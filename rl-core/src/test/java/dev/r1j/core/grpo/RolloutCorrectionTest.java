package dev.r1j.core.grpo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.r1j.core.Djl;
import dev.r1j.core.FreedBuffers;
import dev.r1j.core.testing.RootManager;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@code rollout_correction}: the weights, the corrected loss and its gradient against a naive double-precision
 * implementation kept here (independent of {@link RolloutCorrection#weights}), the metrics by hand, and the refused
 * configurations.
 */
class RolloutCorrectionTest {
    private static final int B = 4, T = 6;
    private static final double LOW = 0.2, HIGH = 0.28, CAP = 2.0;
    private static final double[] ADV = {1.0, -0.7, 0.5, 0.9};
    private @RootManager static NDManager root;

    private final double[][] newLp = new double[B][T], oldLp = new double[B][T], samplerLp = new double[B][T];
    private final double[][] refLp = new double[B][T], mask = new double[B][T];

    RolloutCorrectionTest() {
        Random rnd = new Random(5);
        for (int b = 0; b < B; b++) {
            // row 0's sampler is close to the trainer (its sequence ratio stays in [1/C, C]); the others are not
            double spread = b == 0 ? 0.1 : 1.8;
            for (int t = 0; t < T; t++) {
                newLp[b][t] = -0.2 - 2 * rnd.nextDouble();
                oldLp[b][t] = newLp[b][t] + 0.4 * (rnd.nextDouble() - 0.5);
                samplerLp[b][t] = oldLp[b][t] + spread * (rnd.nextDouble() - 0.5);
                refLp[b][t] = newLp[b][t] + 0.6 * (rnd.nextDouble() - 0.5);
                mask[b][t] = b < 2 || (b == 2 && t < 3) ? 1 : 0; // row 2 half counted, row 3 not at all
            }
        }
        // float32 inputs: the reference works on the same rounded values the tensors hold
        for (double[][] x : new double[][][] {newLp, oldLp, samplerLp, refLp}) {
            for (double[] row : x) for (int t = 0; t < T; t++) row[t] = (float) row[t];
        }
    }

    /** Naive weights of the policy term: {@code before} is the trainer's pre-update log-prob. */
    private double[][] naiveWeights(CorrectionMode mode, ImportanceSamplingLevel level, double[][] before) {
        double[][] w = new double[B][T];
        for (int b = 0; b < B; b++) {
            double seqLog = 0;
            for (int t = 0; t < T; t++) seqLog += mask[b][t] * (before[b][t] - samplerLp[b][t]);
            for (int t = 0; t < T; t++) {
                double r = level == ImportanceSamplingLevel.SEQUENCE ? Math.exp(seqLog)
                        : Math.exp(before[b][t] - samplerLp[b][t]);
                w[b][t] = mode == CorrectionMode.TIS ? Math.min(r, CAP) : (r >= 1 / CAP && r <= CAP ? 1 : 0);
            }
        }
        return w;
    }

    /** Naive DAPO or GRPO loss with per-token policy weights and an unweighted k3 KL; gradient in new. */
    private double[] naiveLossAndGrad(LossType type, double beta, double[][] old, double[][] w, double[] grad) {
        double tokens = 0;
        for (double[] row : mask) for (double v : row) tokens += v;
        double loss = 0;
        for (int b = 0; b < B; b++) {
            double rowTokens = 0;
            for (int t = 0; t < T; t++) rowTokens += mask[b][t];
            for (int t = 0; t < T; t++) {
                double r = Math.exp(newLp[b][t] - old[b][t]), a = ADV[b];
                double un = r * a, cl = Math.max(1 - LOW, Math.min(1 + HIGH, r)) * a;
                double term = un <= cl ? -un : -cl;
                double g = un <= cl ? -a * r : 0;
                term *= w[b][t];
                g *= w[b][t];
                if (beta > 0) {
                    double d = refLp[b][t] - newLp[b][t];
                    term += beta * (Math.exp(d) - d - 1);
                    g += beta * (1 - Math.exp(d));
                }
                double scale = type == LossType.GRPO ? mask[b][t] / Math.max(rowTokens, 1) / B
                        : mask[b][t] / Math.max(tokens, 1);
                loss += scale * term;
                grad[b * T + t] = scale * g;
            }
        }
        return new double[] {loss};
    }

    private NDArray arr(NDManager m, double[][] x) {
        float[] flat = new float[B * T];
        for (int b = 0; b < B; b++) for (int t = 0; t < T; t++) flat[b * T + t] = (float) x[b][t];
        return m.create(flat, new Shape(B, T));
    }

    private static float[] flat(double[][] x) {
        float[] f = new float[B * T];
        for (int b = 0; b < B; b++) for (int t = 0; t < T; t++) f[b * T + t] = (float) x[b][t];
        return f;
    }

    @Test
    void correctedLossAndGradientMatchTheNaiveImplementation() {
        int corrected = 0, kept = 0;
        for (CorrectionMode mode : new CorrectionMode[] {CorrectionMode.TIS, CorrectionMode.MIS}) {
            for (ImportanceSamplingLevel level : ImportanceSamplingLevel.values()) {
                for (LossType type : new LossType[] {LossType.DAPO, LossType.GRPO}) {
                    for (boolean firstIteration : new boolean[] {true, false}) {
                        for (double beta : new double[] {0, 0.05}) {
                            String what = mode + " " + level + " " + type + " first=" + firstIteration + " beta=" + beta;
                            double[][] old = firstIteration ? newLp : oldLp;
                            RolloutCorrection rc = new RolloutCorrection(mode, CAP, level);
                            try (NDManager m = root.newSubManager()) {
                                OffPolicyStats stats = new OffPolicyStats();
                                float[] w = rc.weights(flat(old), flat(samplerLp), flat(mask), B, T, stats);
                                double[][] want = naiveWeights(mode, level, old);
                                for (int b = 0; b < B; b++) {
                                    for (int t = 0; t < T; t++) {
                                        if (mask[b][t] == 0) continue;
                                        assertEquals(want[b][t], w[b * T + t], 1e-5 * Math.max(1, want[b][t]),
                                                what + " weight " + b + "," + t);
                                        if (want[b][t] == 0 || want[b][t] == CAP) corrected++;
                                        else kept++;
                                    }
                                }
                                NDArray x = arr(m, newLp);
                                x.setRequiresGradient(true);
                                PolicyLoss pl = new PolicyLoss(type, new Clip(LOW, HIGH), beta, 10);
                                PolicyLoss.Result res;
                                try (GradientCollector gc = Djl.engine().newGradientCollector()) {
                                    res = pl.compute(x, firstIteration ? null : arr(m, oldLp),
                                            beta > 0 ? arr(m, refLp) : null, m.create(new float[] {1f, -0.7f, 0.5f, 0.9f}),
                                            arr(m, mask), null, null,
                                            m.create(w, new Shape(B, T)).duplicate());
                                    res.loss().getFloat();
                                    FreedBuffers.now(); // the weights must live in PyTorch memory until backward
                                    gc.backward(res.loss());
                                }
                                double[] grad = new double[B * T];
                                double loss = naiveLossAndGrad(type, beta, old, want, grad)[0];
                                assertEquals(loss, res.loss().getFloat(), 2e-6, what);
                                float[] g = x.getGradient().toFloatArray();
                                for (int i = 0; i < B * T; i++) assertEquals(grad[i], g[i], 2e-6, what + " grad " + i);
                            }
                        }
                    }
                }
            }
        }
        assertTrue(corrected > 0 && kept > 0, "the data must exercise both: " + corrected + " / " + kept);
    }

    @Test
    void weightsAndMetricsByHand() {
        // one row of three counted tokens and one pad: log-ratios ln 3, ln 0.25, ln 1.5
        float[] trainer = {(float) Math.log(3), (float) Math.log(0.25), (float) Math.log(1.5), 0f};
        float[] sampler = {0f, 0f, 0f, -9f};
        float[] mask = {1, 1, 1, 0};
        OffPolicyStats s = new OffPolicyStats();
        float[] tis = new RolloutCorrection(CorrectionMode.TIS, 2, ImportanceSamplingLevel.TOKEN)
                .weights(trainer, sampler, mask, 1, 4, s);
        assertArrayClose(new float[] {2f, 0.25f, 1.5f, 1f}, tis);
        float[] mis = new RolloutCorrection(CorrectionMode.MIS, 2, ImportanceSamplingLevel.TOKEN)
                .weights(trainer, sampler, mask, 1, 4, s);
        assertArrayClose(new float[] {0f, 0f, 1f, 1f}, mis);
        // the sequence's ratio is 3 * 0.25 * 1.5 = 1.125: inside [1/2, 2], so tis keeps it and mis keeps every token
        float[] seqTis = new RolloutCorrection(CorrectionMode.TIS, 2, ImportanceSamplingLevel.SEQUENCE)
                .weights(trainer, sampler, mask, 1, 4, s);
        assertArrayClose(new float[] {1.125f, 1.125f, 1.125f, 1f}, seqTis);
        float[] seqMis = new RolloutCorrection(CorrectionMode.MIS, 1.1, ImportanceSamplingLevel.SEQUENCE)
                .weights(trainer, sampler, mask, 1, 4, s);
        assertArrayClose(new float[] {0f, 0f, 0f, 1f}, seqMis);

        OffPolicyStats m = new OffPolicyStats();
        m.add(trainer, sampler, mask);
        new RolloutCorrection(CorrectionMode.MIS, 2, ImportanceSamplingLevel.TOKEN).weights(trainer, sampler, mask, 1, 4, m);
        Map<String, Double> got = m.toMetrics();
        double l3 = Math.log(3), l4 = Math.log(4), l15 = Math.log(1.5);
        assertEquals((l3 + l4 + l15) / 3, got.get("rollout_corr/logprob_diff_mean"), 1e-6);
        assertEquals(l4, got.get("rollout_corr/logprob_diff_max"), 1e-6);
        assertEquals(-(l3 - l4 + l15) / 3, got.get("rollout_corr/kl_k1"), 1e-6); // mean of log p_s - log p_t
        assertEquals(((3 - 1 - l3) + (0.25 - 1 + l4) + (1.5 - 1 - l15)) / 3, got.get("rollout_corr/kl_k3"), 1e-6);
        assertEquals(2.0 / 3, got.get("rollout_corr/frac_corrected"), 1e-9);
        assertTrue(Double.isNaN(new OffPolicyStats().toMetrics().get("rollout_corr/kl_k3")));
    }

    private static void assertArrayClose(float[] want, float[] got) {
        assertEquals(want.length, got.length);
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-5, "index " + i);
    }

    @Test
    void nonsenseIsRefusedNamingTheKey() {
        for (double cap : new double[] {1.0, 0.5, Double.POSITIVE_INFINITY, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new RolloutCorrection(CorrectionMode.TIS, cap, ImportanceSamplingLevel.TOKEN));
            assertTrue(e.getMessage().contains("rollout_correction.cap"), e.getMessage());
        }
        IllegalArgumentException gspo = assertThrows(IllegalArgumentException.class, () -> GrpoConfig.builder()
                .importanceSamplingLevel(ImportanceSamplingLevel.SEQUENCE)
                .rolloutCorrection(new RolloutCorrection(CorrectionMode.MIS, 2, ImportanceSamplingLevel.TOKEN)).build());
        assertTrue(gspo.getMessage().contains("rollout_correction.level"), gspo.getMessage());
        // sequence-level correction under GSPO, and a token-level one that is off, are fine
        GrpoConfig.builder().importanceSamplingLevel(ImportanceSamplingLevel.SEQUENCE)
                .rolloutCorrection(new RolloutCorrection(CorrectionMode.TIS, 2, ImportanceSamplingLevel.SEQUENCE)).build();
        GrpoConfig.builder().importanceSamplingLevel(ImportanceSamplingLevel.SEQUENCE).build();
        assertThrows(IllegalArgumentException.class, () -> GrpoConfig.builder().asyncSteps(-1).build());
        IllegalArgumentException filtered = assertThrows(IllegalArgumentException.class, () -> GrpoConfig.builder()
                .asyncSteps(1).onlineFilter(new OnlineFilter(4, 0.0, 1.0)).build());
        assertTrue(filtered.getMessage().contains("online_filter cannot be combined with async_steps"),
                filtered.getMessage());
    }
}

package dev.r1j.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.r1j.core.Djl;
import dev.r1j.core.testing.RootManager;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ExpertLoadBalancerTest {
    @RootManager static NDManager root;

    /** A skewed batch: most tokens are one id, so the router sends most of them to the same experts. */
    private static long[][] skewedIds(int rows, int len, long seed) {
        Random r = new Random(seed);
        long[][] ids = new long[rows][len];
        for (long[] row : ids) {
            for (int i = 0; i < len; i++) row[i] = r.nextDouble() < 0.7 ? 3 : r.nextInt(20);
        }
        return ids;
    }

    /** Max/mean load of layer 1 over {@code steps} forwards on one skewed batch, one value per step. */
    private static double[] loadOverSteps(double biasSpeed, int steps) {
        try (NDManager m = root.newSubManager();
                Transformer model = Transformer.create(ModelConfig.tinyDeepSeekV3(20, null), m, 5);
                ExpertLoadBalancer balancer = new ExpertLoadBalancer(model, biasSpeed, 0)) {
            for (int layer = 1; layer < 3; layer++) {
                model.parameters().get("model.layers." + layer + ".mlp.gate.weight").muli(20); // scores spread
            }
            model.setExpertRouting(balancer);
            NDArray ids = m.create(skewedIds(4, 16, 11));
            double[] out = new double[steps];
            for (int s = 0; s < steps; s++) {
                Djl.withoutGradients(() -> {
                    model.forward(ids, null, null).close();
                    return null;
                });
                out[s] = ExpertLoadBalancer.maxOverMean(balancer.load(1));
                balancer.afterStep();
            }
            return out;
        }
    }

    @Test
    void biasUpdatesEvenOutTheLoadOfASkewedInputAndWithoutThemNothingChanges() {
        double[] on = loadOverSteps(0.02, 50);
        double[] off = loadOverSteps(0, 50);
        assertTrue(on[0] > 2.5, "the input must start skewed: max/mean " + on[0]);
        assertEquals(on[0], off[0], 1e-12, "the same model and input before any update");
        double lateOn = (on[45] + on[46] + on[47] + on[48] + on[49]) / 5;
        // most tokens are one id, so a perfectly even split is out of reach; the overload must fall by 40% or more
        assertTrue(lateOn < 0.6 * on[0], "balanced load after 50 updates: max/mean " + lateOn + " (from " + on[0]
                + "): " + java.util.Arrays.toString(on));
        for (double v : off) assertEquals(off[0], v, 1e-12, "without updates the load stays as it was");
    }

    @Test
    void biasMovesAgainstLoadBySpeedTimesSign() {
        try (NDManager m = root.newSubManager();
                Transformer model = Transformer.create(ModelConfig.tinyDeepSeekV3(20, null), m, 5);
                ExpertLoadBalancer balancer = new ExpertLoadBalancer(model, 0.25, 0)) {
            model.setExpertRouting(balancer);
            NDArray ids = m.create(skewedIds(2, 8, 3));
            Djl.withoutGradients(() -> {
                    model.forward(ids, null, null).close();
                    return null;
                });
            long[] load = balancer.load(2);
            double mean = 0;
            for (long c : load) mean += c / 8.0;
            assertEquals(2 * 8 * 2, mean * 8, 1e-9, "16 real tokens x 2 experts each");
            balancer.afterStep();
            float[] bias = model.parameters().get("model.layers.2.mlp.gate.e_score_correction_bias").toFloatArray();
            for (int j = 0; j < 8; j++) {
                assertEquals(0.25 * Math.signum(mean - load[j]), bias[j], 1e-7, "expert " + j);
            }
            assertEquals(0, balancer.load(2)[0] + balancer.load(2)[1], "counting starts anew");
        }
    }

    @Test
    void sequenceBalanceLossEqualsTheV3FormulaOverRealTokens() {
        Random r = new Random(4);
        int b = 3, t = 5, e = 6, k = 2;
        double[] s = new double[b * t * e];
        for (int i = 0; i < s.length; i++) s[i] = 1 / (1 + Math.exp(-r.nextGaussian()));
        long[] used = new long[b * t * k];
        for (int i = 0; i < b * t; i++) {
            used[i * k] = r.nextInt(e);
            used[i * k + 1] = (used[i * k] + 1 + r.nextInt(e - 1)) % e;
        }
        long[] real = new long[b * t];
        for (int i = 0; i < real.length; i++) real[i] = (i % t) < 4 - (i / t) ? 1 : 0; // rows of 4, 3, 2 real tokens
        double want = 0;
        for (int row = 0; row < b; row++) {
            int n = 4 - row;
            double loss = 0;
            for (int j = 0; j < e; j++) {
                double count = 0, p = 0;
                for (int i = 0; i < n; i++) {
                    int tok = row * t + i;
                    if (used[tok * k] == j || used[tok * k + 1] == j) count++;
                    double sum = 0;
                    for (int q = 0; q < e; q++) sum += s[tok * e + q];
                    p += s[tok * e + j] / sum / n;
                }
                loss += (double) e / (k * n) * count * p;
            }
            want += loss / b;
        }
        try (NDManager m = root.newSubManager()) {
            NDArray scores = m.create(s, new Shape(b, t, e));
            NDArray got = ExpertLoadBalancer.sequenceBalanceLoss(scores, used, new ExpertRouting.Tokens(b, t,
                    new long[b * t], real), k);
            assertEquals(want, got.getDouble(), 1e-7 * want, "float32 constants");
        }
    }

    @Test
    void seqAuxLossHasAGradientIntoTheRouterOnly() {
        try (NDManager m = root.newSubManager();
                Transformer model = Transformer.create(ModelConfig.tinyDeepSeekV3(20, null), m, 5);
                ExpertLoadBalancer balancer = new ExpertLoadBalancer(model, 0, 0.5)) {
            model.setExpertRouting(balancer);
            NDArray ids = m.create(skewedIds(2, 8, 3));
            try (var gc = Djl.engine().newGradientCollector()) {
                model.forward(ids, m.ones(new Shape(2, 8), DataType.INT64), null);
                NDArray aux = balancer.auxLoss();
                assertTrue(aux.getFloat() > 0);
                gc.backward(aux);
            }
            NDArray g = model.parameters().get("model.layers.1.mlp.gate.weight").getGradient();
            assertNotEquals(0f, g.abs().sum().getFloat(), "the balance loss trains the router");
            assertTrue(balancer.afterStep().containsKey("moe/seq_aux_loss"));
        }
    }

    @Test
    void aDenseModelIsRefused() {
        try (NDManager m = root.newSubManager(); Transformer model = Transformer.create(ModelConfig.tinyLlama(20), m, 1)) {
            assertThrows(IllegalArgumentException.class, () -> new ExpertLoadBalancer(model, 0.01, 0));
            assertThrows(IllegalStateException.class, () -> model.setExpertRouting((l, c, t) -> c));
        }
    }
}

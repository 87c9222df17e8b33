package dev.r1j.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.r1j.core.testing.RootManager;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Building blocks against hand-computed values and naive Java implementations kept here. */
class NumericsTest {
    @RootManager static NDManager root;

    @Test
    void rmsNormByHand() {
        try (NDManager m = root.newSubManager()) {
            // x = [3, 4]: mean square 12.5, rms sqrt(12.5 + 0.5) = sqrt(13)
            NDArray y = Ops.rmsNorm(m.create(new float[] {3, 4}), m.create(new float[] {1, 2}), 0.5);
            double r = Math.sqrt(13);
            assertArrayEquals(new float[] {(float) (3 / r), (float) (8 / r)}, y.toFloatArray(), 1e-6f);
        }
    }

    @Test
    void ropeByHandForLlamaAndInterleavedDeepSeek() {
        try (NDManager m = root.newSubManager()) {
            float[] x = {1, 2, 3, 4};
            double p = 2; // position 2; head dim 4, theta 10000: inverse frequencies 1 and 0.01
            double c0 = Math.cos(p);
            double s0 = Math.sin(p);
            double c1 = Math.cos(p * 0.01);
            double s1 = Math.sin(p * 0.01);
            ModelConfig llama = new ModelConfig("llama", 10, 8, 8, 1, 2, 2, 4, 16, 1e-6, 10000, null, false, false,
                    false, null, List.of(), null, null, null);
            // rotate_half pairs dim i with i + d/2
            float[] expected = {
                (float) (x[0] * c0 - x[2] * s0), (float) (x[1] * c1 - x[3] * s1),
                (float) (x[2] * c0 + x[0] * s0), (float) (x[3] * c1 + x[1] * s1)};
            assertArrayEquals(expected, rope(m, llama, x, 2), 1e-6f);

            // interleaved: first x -> [x0, x2, x1, x3], then the same rotate_half formula
            ModelConfig.DeepSeekV3 ds = new ModelConfig.DeepSeekV3(4, 1, 0, 4, 0, 1, 1.0, true, 1, 1, "sigmoid",
                    "noaux_tc", null, 4, 4, 4, 4, true);
            ModelConfig deepseek = new ModelConfig("deepseek_v3", 10, 8, 8, 1, 2, 2, 4, 16, 1e-6, 10000, null, false,
                    false, false, null, List.of(), null, null, ds);
            float[] xp = {x[0], x[2], x[1], x[3]};
            float[] expectedInterleaved = {
                (float) (xp[0] * c0 - xp[2] * s0), (float) (xp[1] * c1 - xp[3] * s1),
                (float) (xp[2] * c0 + xp[0] * s0), (float) (xp[3] * c1 + xp[1] * s1)};
            assertArrayEquals(expectedInterleaved, rope(m, deepseek, x, 2), 1e-6f);
        }
    }

    private static float[] rope(NDManager m, ModelConfig c, float[] x, long position) {
        Rope rope = new Rope(c);
        NDArray[] cs = rope.cosSin(m.create(new long[] {position}).reshape(1, 1), DataType.FLOAT32);
        return Rope.apply(m.create(x).reshape(1, 1, 1, 4), cs[0], cs[1], rope.matrices(m, DataType.FLOAT32))
                .toFloatArray();
    }

    @Test
    void yarnFrequenciesAndScaleFollowTheFormula() {
        // dim 8, theta 10000, factor 4, original 32 positions, beta 32/1, mscale 1 / mscale_all_dim 0.5
        ModelConfig.DeepSeekV3 ds = new ModelConfig.DeepSeekV3(4, 1, 0, 4, 0, 1, 1.0, true, 1, 1, "sigmoid",
                "noaux_tc", null, 4, 4, 8, 4, true);
        RopeScaling yarn = RopeScaling.yarn(4.0, 32, 1.0, 0.5);
        ModelConfig c = new ModelConfig("deepseek_v3", 10, 8, 8, 1, 2, 2, 8, 128, 1e-6, 10000, yarn, false, false,
                false, null, List.of(), null, null, ds);
        Rope rope = new Rope(c);
        // correction dims: d*ln(32/(b*2*pi))/(2 ln 10000) for b=32 -> negative -> floor, clamp 0; b=1 -> 0.7074 -> ceil 1
        double low = 0;
        double high = 1;
        float[] inv = rope.invFreq();
        for (int i = 0; i < 4; i++) {
            double base = 1 / Math.pow(10000, 2.0 * i / 8);
            double ramp = Math.min(1, Math.max(0, (i - low) / (high - low)));
            double want = base / 4 * ramp + base * (1 - ramp); // ramp 0 keeps the original frequency
            assertEquals(want, inv[i], 1e-6 * Math.max(1, want), "inv_freq[" + i + "]");
        }
        double m1 = 0.1 * Math.log(4) + 1;
        double mHalf = 0.05 * Math.log(4) + 1;
        assertEquals(m1 / mHalf, rope.attentionScaling(), 1e-9);
    }

    @Test
    void logProbsAndEntropyMatchANaiveSoftmax() {
        try (NDManager m = root.newSubManager();
                Transformer model = Transformer.create(ModelConfig.tinyQwen2(30), m, 21)) {
            long[][] ids = {{1, 5, 7, 2, 9}, {0, 0, 4, 4, 8}};
            NDArray idsNd = m.create(ids);
            NDArray mask = m.create(new long[][] {{1, 1, 1, 1, 1}, {0, 0, 1, 1, 1}});
            float[] logits = model.forward(idsNd, mask, null).toFloatArray();
            LogProbs.TokenStats stats = LogProbs.tokenLogProbsAndEntropy(model, idsNd, mask);
            float[] lp = LogProbs.tokenLogProbs(model, idsNd, mask).toFloatArray();
            assertEquals(new Shape(2, 4), stats.logProbs().getShape());
            float[] lp2 = stats.logProbs().toFloatArray();
            float[] ent = stats.entropy().toFloatArray();
            int v = 30;
            for (int b = 0; b < 2; b++) {
                for (int t = 0; t < 4; t++) {
                    int o = (b * 5 + t) * v;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int k = 0; k < v; k++) {
                        max = Math.max(max, logits[o + k]);
                    }
                    double z = 0;
                    for (int k = 0; k < v; k++) {
                        z += Math.exp(logits[o + k] - max);
                    }
                    double logZ = max + Math.log(z);
                    double h = 0;
                    for (int k = 0; k < v; k++) {
                        double lpk = logits[o + k] - logZ;
                        h -= Math.exp(lpk) * lpk;
                    }
                    double want = logits[o + (int) ids[b][t + 1]] - logZ;
                    assertEquals(want, lp[b * 4 + t], 1e-5, "logprob " + b + "," + t);
                    assertEquals(want, lp2[b * 4 + t], 1e-5);
                    assertEquals(h, ent[b * 4 + t], 1e-5, "entropy " + b + "," + t);
                }
            }
        }
    }

    /** The MoE block against a per-token loop in plain Java over the same weights. */
    @Test
    void moeMatchesNaivePerTokenRouting() {
        ModelConfig c = ModelConfig.tinyDeepSeekV3(20, null); // 8 experts, 4 groups, top-2 groups, 2 per token
        ModelConfig.DeepSeekV3 d = c.deepseek();
        try (NDManager m = root.newSubManager(); Transformer model = Transformer.create(c, m, 8)) {
            Map<String, NDArray> p = model.parameters();
            String pre = "model.layers.1.mlp.";
            Random r = new Random(9);
            float[] bias = new float[8];
            for (int j = 0; j < 8; j++) {
                bias[j] = (float) (r.nextGaussian() * 0.3);
            }
            p.get(pre + "gate.e_score_correction_bias").set(bias);
            // larger router weights so the scores spread out and groups matter
            p.get(pre + "gate.weight").muli(20);
            int n = 24;
            int hid = 32;
            float[] x = new float[n * hid];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian();
            }
            NDArray y = Moe.forward(d, name -> p.get(pre + name), (mod, in) -> Ops.linear(in, p.get(pre + mod + ".weight"), null), m.create(x, new Shape(2, n / 2, hid)));
            float[] got = y.toFloatArray();

            float[] gate = p.get(pre + "gate.weight").toFloatArray();
            int differsFromPlainTopK = 0;
            for (int t = 0; t < n; t++) {
                float[] xt = new float[hid];
                System.arraycopy(x, t * hid, xt, 0, hid);
                double[] score = new double[8];
                double[] choice = new double[8];
                for (int j = 0; j < 8; j++) {
                    double dot = 0;
                    for (int k = 0; k < hid; k++) {
                        dot += gate[j * hid + k] * xt[k];
                    }
                    score[j] = 1 / (1 + Math.exp(-dot));
                    choice[j] = score[j] + bias[j];
                }
                double[] groupScore = new double[4];
                for (int g = 0; g < 4; g++) { // 2 experts per group: the sum of both is the top-2 sum
                    groupScore[g] = choice[2 * g] + choice[2 * g + 1];
                }
                int[] groups = argTop(groupScore, 2);
                double[] masked = new double[8];
                for (int j = 0; j < 8; j++) {
                    masked[j] = (j / 2 == groups[0] || j / 2 == groups[1]) ? choice[j] : 0.0;
                }
                int[] experts = argTop(masked, 2);
                int[] plain = argTop(choice, 2);
                if (!(java.util.Arrays.equals(sorted(experts), sorted(plain)))) {
                    differsFromPlainTopK++;
                }
                double wsum = score[experts[0]] + score[experts[1]];
                double[] out = new double[hid];
                for (int s = 0; s < 2; s++) {
                    double w = score[experts[s]] / wsum * d.routedScalingFactor();
                    double[] e = mlp(p, pre + "experts." + experts[s] + ".", xt, 16);
                    for (int k = 0; k < hid; k++) {
                        out[k] += w * e[k];
                    }
                }
                double[] shared = mlp(p, pre + "shared_experts.", xt, 16);
                for (int k = 0; k < hid; k++) {
                    assertEquals(out[k] + shared[k], got[t * hid + k], 1e-5, "token " + t + " dim " + k);
                }
            }
            assertTrue(differsFromPlainTopK > 0, "the test must exercise group-limited routing");
        }
    }

    private static int[] sorted(int[] a) {
        int[] b = a.clone();
        java.util.Arrays.sort(b);
        return b;
    }

    private static int[] argTop(double[] v, int k) {
        Integer[] idx = new Integer[v.length];
        for (int i = 0; i < v.length; i++) {
            idx[i] = i;
        }
        java.util.Arrays.sort(idx, (a, b) -> Double.compare(v[b], v[a]));
        int[] out = new int[k];
        for (int i = 0; i < k; i++) {
            out[i] = idx[i];
        }
        return out;
    }

    private static double[] mlp(Map<String, NDArray> p, String pre, float[] x, int inter) {
        float[] g = p.get(pre + "gate_proj.weight").toFloatArray();
        float[] u = p.get(pre + "up_proj.weight").toFloatArray();
        float[] dn = p.get(pre + "down_proj.weight").toFloatArray();
        int hid = x.length;
        double[] h = new double[inter];
        for (int i = 0; i < inter; i++) {
            double a = 0;
            double b = 0;
            for (int k = 0; k < hid; k++) {
                a += g[i * hid + k] * x[k];
                b += u[i * hid + k] * x[k];
            }
            h[i] = a / (1 + Math.exp(-a)) * b;
        }
        double[] out = new double[hid];
        for (int k = 0; k < hid; k++) {
            for (int i = 0; i < inter; i++) {
                out[k] += dn[k * inter + i] * h[i];
            }
        }
        return out;
    }
}

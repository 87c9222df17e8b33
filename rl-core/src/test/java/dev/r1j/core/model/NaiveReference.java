package dev.r1j.core.model;

import ai.djl.ndarray.NDArray;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A deliberately plain re-implementation of the Hugging Face forward pass (one unpadded sequence, loops over
 * tokens and heads, doubles), written from modeling_llama / modeling_qwen2 / modeling_deepseek_v3 and sharing
 * nothing with the code under test. Slow; for tiny models only.
 */
final class NaiveReference {
    private final ModelConfig c;
    private final Map<String, float[]> w = new HashMap<>();

    NaiveReference(ModelConfig c, Map<String, NDArray> params) {
        this.c = c;
        params.forEach((k, v) -> w.put(k, v.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray()));
    }

    /** Logits {@code [T][V]} for one sequence of token ids. */
    double[][] logits(int[] ids) {
        int t = ids.length;
        int hid = c.hiddenSize();
        double[][] h = new double[t][];
        float[] emb = w.get("model.embed_tokens.weight");
        for (int i = 0; i < t; i++) {
            h[i] = new double[hid];
            for (int k = 0; k < hid; k++) {
                h[i][k] = emb[ids[i] * hid + k];
            }
        }
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            String p = "model.layers." + l + ".";
            double[][] x = new double[t][];
            for (int i = 0; i < t; i++) {
                x[i] = rmsNorm(h[i], w.get(p + "input_layernorm.weight"));
            }
            double[][] a = c.deepseek() == null ? gqa(p + "self_attn.", x) : mla(p + "self_attn.", x);
            for (int i = 0; i < t; i++) {
                add(h[i], a[i]);
                double[] y = rmsNorm(h[i], w.get(p + "post_attention_layernorm.weight"));
                add(h[i], c.isMoeLayer(l) ? moe(p + "mlp.", y) : mlp(p + "mlp.", y));
            }
        }
        String head = c.tieWordEmbeddings() ? "model.embed_tokens.weight" : "lm_head.weight";
        double[][] out = new double[t][];
        for (int i = 0; i < t; i++) {
            out[i] = linear(head, rmsNorm(h[i], w.get("model.norm.weight")));
        }
        return out;
    }

    private double[][] gqa(String p, double[][] x) {
        int t = x.length;
        int heads = c.numAttentionHeads();
        int d = c.headDim();
        int group = heads / c.numKeyValueHeads();
        double[][] q = new double[t][];
        double[][] k = new double[t][];
        double[][] v = new double[t][];
        for (int i = 0; i < t; i++) {
            q[i] = linear(p + "q_proj", x[i]);
            k[i] = linear(p + "k_proj", x[i]);
            v[i] = linear(p + "v_proj", x[i]);
            for (int hh = 0; hh < heads; hh++) {
                ropeInPlace(q[i], hh * d, d, i, false);
            }
            for (int g = 0; g < c.numKeyValueHeads(); g++) {
                ropeInPlace(k[i], g * d, d, i, false);
            }
        }
        double[][] out = new double[t][heads * d];
        for (int i = 0; i < t; i++) {
            for (int hh = 0; hh < heads; hh++) {
                int g = hh / group; // repeat_kv: kv head g serves query heads g*group .. g*group+group-1
                double[] s = new double[i + 1];
                for (int j = 0; j <= i; j++) {
                    s[j] = dot(q[i], hh * d, k[j], g * d, d) / Math.sqrt(d);
                }
                softmax(s);
                for (int j = 0; j <= i; j++) {
                    for (int e = 0; e < d; e++) {
                        out[i][hh * d + e] += s[j] * v[j][g * d + e];
                    }
                }
            }
        }
        double[][] o = new double[t][];
        for (int i = 0; i < t; i++) {
            o[i] = linear(p + "o_proj", out[i]);
        }
        return o;
    }

    private double[][] mla(String p, double[][] x) {
        ModelConfig.DeepSeekV3 ds = c.deepseek();
        int t = x.length;
        int heads = c.numAttentionHeads();
        int nope = ds.qkNopeHeadDim();
        int rope = ds.qkRopeHeadDim();
        int qk = nope + rope;
        int vd = ds.vHeadDim();
        int lora = ds.kvLoraRank();
        double scale = 1 / Math.sqrt(qk);
        RopeScaling rs = c.ropeScaling();
        if (rs != null && rs.mscaleAllDim() != null && rs.mscaleAllDim() != 0) {
            double m = 0.1 * rs.mscaleAllDim() * Math.log(rs.factor()) + 1;
            scale *= m * m;
        }
        double[][] q = new double[t][];
        double[][] kNope = new double[t][];
        double[][] val = new double[t][];
        double[][] kRope = new double[t][];
        for (int i = 0; i < t; i++) {
            q[i] = ds.qLoraRank() == null ? linear(p + "q_proj", x[i])
                    : linear(p + "q_b_proj", rmsNorm(linear(p + "q_a_proj", x[i]), w.get(p + "q_a_layernorm.weight")));
            for (int hh = 0; hh < heads; hh++) {
                ropeInPlace(q[i], hh * qk + nope, rope, i, ds.ropeInterleave());
            }
            double[] ckv = linear(p + "kv_a_proj_with_mqa", x[i]);
            double[] latent = rmsNorm(Arrays.copyOfRange(ckv, 0, lora), w.get(p + "kv_a_layernorm.weight"));
            kRope[i] = Arrays.copyOfRange(ckv, lora, lora + rope);
            ropeInPlace(kRope[i], 0, rope, i, ds.ropeInterleave());
            double[] kv = linear(p + "kv_b_proj", latent); // per head: [k_nope (nope), v (vd)]
            kNope[i] = new double[heads * nope];
            val[i] = new double[heads * vd];
            for (int hh = 0; hh < heads; hh++) {
                System.arraycopy(kv, hh * (nope + vd), kNope[i], hh * nope, nope);
                System.arraycopy(kv, hh * (nope + vd) + nope, val[i], hh * vd, vd);
            }
        }
        double[][] out = new double[t][heads * vd];
        for (int i = 0; i < t; i++) {
            for (int hh = 0; hh < heads; hh++) {
                double[] s = new double[i + 1];
                for (int j = 0; j <= i; j++) {
                    s[j] = (dot(q[i], hh * qk, kNope[j], hh * nope, nope) + dot(q[i], hh * qk + nope, kRope[j], 0, rope))
                            * scale;
                }
                softmax(s);
                for (int j = 0; j <= i; j++) {
                    for (int e = 0; e < vd; e++) {
                        out[i][hh * vd + e] += s[j] * val[j][hh * vd + e];
                    }
                }
            }
        }
        double[][] o = new double[t][];
        for (int i = 0; i < t; i++) {
            o[i] = linear(p + "o_proj", out[i]);
        }
        return o;
    }

    /**
     * Rotates {@code v[off .. off+d)} for position {@code pos}: optionally de-interleave first
     * ({@code view(d/2, 2).transpose.reshape}), then pair i with i + d/2 (rotate_half), no rope scaling.
     */
    private void ropeInPlace(double[] v, int off, int d, int pos, boolean interleave) {
        double[] x = Arrays.copyOfRange(v, off, off + d);
        if (interleave) {
            double[] y = new double[d];
            for (int i = 0; i < d / 2; i++) {
                y[i] = x[2 * i];
                y[i + d / 2] = x[2 * i + 1];
            }
            x = y;
        }
        for (int i = 0; i < d / 2; i++) {
            double f = pos / Math.pow(c.ropeTheta(), 2.0 * i / d);
            double cos = Math.cos(f);
            double sin = Math.sin(f);
            v[off + i] = x[i] * cos - x[i + d / 2] * sin;
            v[off + i + d / 2] = x[i + d / 2] * cos + x[i] * sin;
        }
    }

    private double[] mlp(String p, double[] x) {
        double[] g = linear(p + "gate_proj", x);
        double[] u = linear(p + "up_proj", x);
        for (int i = 0; i < g.length; i++) {
            g[i] = g[i] / (1 + Math.exp(-g[i])) * u[i];
        }
        return linear(p + "down_proj", g);
    }

    private double[] moe(String p, double[] x) {
        ModelConfig.DeepSeekV3 ds = c.deepseek();
        int e = ds.nRoutedExperts();
        double[] logit = linear(p + "gate", x);
        float[] bias = w.get(p + "gate.e_score_correction_bias");
        double[] score = new double[e];
        double[] choice = new double[e];
        for (int j = 0; j < e; j++) {
            score[j] = 1 / (1 + Math.exp(-logit[j]));
            choice[j] = score[j] + bias[j];
        }
        int per = e / ds.nGroup();
        double[] groupScore = new double[ds.nGroup()];
        for (int g = 0; g < ds.nGroup(); g++) {
            double[] in = Arrays.copyOfRange(choice, g * per, (g + 1) * per);
            Arrays.sort(in);
            groupScore[g] = in[per - 1] + in[per - 2];
        }
        boolean[] keep = new boolean[ds.nGroup()];
        for (int g : top(groupScore, ds.topkGroup())) {
            keep[g] = true;
        }
        for (int j = 0; j < e; j++) {
            if (!keep[j / per]) {
                choice[j] = 0;
            }
        }
        int[] chosen = top(choice, ds.numExpertsPerTok());
        double sum = 0;
        for (int j : chosen) {
            sum += score[j];
        }
        double[] out = ds.nSharedExperts() > 0 ? mlp(p + "shared_experts.", x) : new double[x.length];
        for (int j : chosen) {
            double weight = (ds.normTopkProb() ? score[j] / sum : score[j]) * ds.routedScalingFactor();
            double[] y = mlp(p + "experts." + j + ".", x);
            for (int k = 0; k < x.length; k++) {
                out[k] += weight * y[k];
            }
        }
        return out;
    }

    private static int[] top(double[] v, int k) {
        int[] out = new int[k];
        boolean[] used = new boolean[v.length];
        for (int s = 0; s < k; s++) {
            int best = -1;
            for (int j = 0; j < v.length; j++) {
                if (!used[j] && (best < 0 || v[j] > v[best])) {
                    best = j;
                }
            }
            used[best] = true;
            out[s] = best;
        }
        return out;
    }

    private double[] linear(String name, double[] x) {
        float[] m = w.get(name.endsWith(".weight") ? name : name + ".weight");
        float[] b = w.get(name + ".bias");
        int in = x.length;
        int out = m.length / in;
        double[] y = new double[out];
        for (int o = 0; o < out; o++) {
            double s = b == null ? 0 : b[o];
            for (int i = 0; i < in; i++) {
                s += m[o * in + i] * x[i];
            }
            y[o] = s;
        }
        return y;
    }

    private double[] rmsNorm(double[] x, float[] g) {
        double ms = 0;
        for (double v : x) {
            ms += v * v;
        }
        double r = 1 / Math.sqrt(ms / x.length + c.rmsNormEps());
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i] * r * g[i];
        }
        return y;
    }

    private static double dot(double[] a, int ao, double[] b, int bo, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += a[ao + i] * b[bo + i];
        }
        return s;
    }

    private static void softmax(double[] s) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : s) {
            max = Math.max(max, v);
        }
        double z = 0;
        for (int i = 0; i < s.length; i++) {
            s[i] = Math.exp(s[i] - max);
            z += s[i];
        }
        for (int i = 0; i < s.length; i++) {
            s[i] /= z;
        }
    }

    private static void add(double[] a, double[] b) {
        for (int i = 0; i < a.length; i++) {
            a[i] += b[i];
        }
    }
}

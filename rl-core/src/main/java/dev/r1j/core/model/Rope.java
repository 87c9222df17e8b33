package dev.r1j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Rotary position embeddings as in Hugging Face transformers: {@code x*cos + rotate_half(x)*sin} with
 * {@code cos = cat(cos(p*f), cos(p*f)) * attention_scaling}. Yarn scaling (DeepSeek-V3) changes the inverse
 * frequencies and the scaling. With {@code rope_interleave} (DeepSeek-V3) Hugging Face first de-interleaves the
 * rotary dims ({@code x.view(d/2, 2).transpose(-1, -2).reshape(d)}); both permutations are applied here as one
 * matmul with a constant 0/±1 matrix, which is exact and costs one op instead of slices and a concat.
 */
final class Rope {
    private final int dim;
    private final float[] invFreq;
    private final double attentionScaling;
    private final boolean interleave;

    Rope(ModelConfig c) {
        this.dim = c.ropeDim();
        this.interleave = c.deepseek() != null && c.deepseek().ropeInterleave();
        RopeScaling s = c.ropeScaling();
        double[] inv = new double[dim / 2];
        float[] baseInv = new float[dim / 2];
        float[] posFreq = new float[dim / 2];
        for (int i = 0; i < dim / 2; i++) {
            // Hugging Face computes base ** (arange(0, d, 2).float() / d) in float32
            posFreq[i] = (float) Math.pow(c.ropeTheta(), (float) (2 * i) / dim);
            baseInv[i] = 1.0f / posFreq[i];
            inv[i] = baseInv[i];
        }
        if (s == null) {
            attentionScaling = 1.0;
        } else {
            double factor = s.factor();
            int original = s.originalMaxPositionEmbeddings() != null ? s.originalMaxPositionEmbeddings()
                    : c.maxPositionEmbeddings();
            if (s.attentionFactor() != null) {
                attentionScaling = s.attentionFactor();
            } else if (s.mscale() != null && s.mscaleAllDim() != null && s.mscale() != 0 && s.mscaleAllDim() != 0) {
                attentionScaling = RopeScaling.yarnMscale(factor, s.mscale()) / RopeScaling.yarnMscale(factor, s.mscaleAllDim());
            } else {
                attentionScaling = RopeScaling.yarnMscale(factor, 1.0);
            }
            double betaFast = s.betaFast() != null ? s.betaFast() : 32;
            double betaSlow = s.betaSlow() != null ? s.betaSlow() : 1;
            double low = Math.max(Math.floor(correctionDim(betaFast, dim, c.ropeTheta(), original)), 0);
            double high = Math.min(Math.ceil(correctionDim(betaSlow, dim, c.ropeTheta(), original)), dim - 1);
            if (low == high) {
                high += 0.001;
            }
            for (int i = 0; i < dim / 2; i++) {
                float ramp = (float) Math.min(1, Math.max(0, (i - low) / (high - low)));
                float extrapolationFactor = 1 - ramp;
                float interp = 1.0f / (float) (factor * posFreq[i]);
                inv[i] = interp * (1 - extrapolationFactor) + baseInv[i] * extrapolationFactor;
            }
        }
        invFreq = new float[dim / 2];
        for (int i = 0; i < dim / 2; i++) {
            invFreq[i] = (float) inv[i];
        }
    }

    private static double correctionDim(double rotations, int dim, double base, int maxPositions) {
        return (dim * Math.log(maxPositions / (rotations * 2 * Math.PI))) / (2 * Math.log(base));
    }

    float[] invFreq() {
        return invFreq.clone();
    }

    double attentionScaling() {
        return attentionScaling;
    }

    /** cos and sin tables {@code [B, 1, T, dim]} for int64 positions {@code [B, T]}, in {@code dtype}. */
    NDArray[] cosSin(NDArray positions, DataType dtype) {
        NDManager m = positions.getManager();
        NDArray freqs = positions.toType(DataType.FLOAT32, false).expandDims(-1).mul(m.create(invFreq));
        NDArray emb = freqs.concat(freqs, -1);
        NDArray cos = emb.cos();
        NDArray sin = emb.sin();
        if (attentionScaling != 1.0) {
            cos = cos.mul(attentionScaling);
            sin = sin.mul(attentionScaling);
        }
        return new NDArray[] {cos.expandDims(1).toType(dtype, false), sin.expandDims(1).toType(dtype, false)};
    }

    /** Constant matrices {@code P} (the de-interleave, identity if none) and {@code P·R} (then rotate_half). */
    NDArray[] matrices(NDManager m, DataType dtype) {
        int h = dim / 2;
        float[] p = new float[dim * dim];
        for (int j = 0; j < dim; j++) {
            int src = !interleave ? j : j < h ? 2 * j : 2 * (j - h) + 1; // out[j] = x[src]
            p[src * dim + j] = 1;
        }
        // rotate_half: out[j] = -x[j + h] for j < h, x[j - h] for j >= h
        float[] r = new float[dim * dim];
        for (int j = 0; j < dim; j++) {
            if (j < h) {
                r[(j + h) * dim + j] = -1;
            } else {
                r[(j - h) * dim + j] = 1;
            }
        }
        float[] pr = new float[dim * dim];
        for (int i = 0; i < dim; i++) {
            for (int k = 0; k < dim; k++) {
                float a = p[i * dim + k];
                if (a != 0) {
                    for (int j = 0; j < dim; j++) {
                        pr[i * dim + j] += a * r[k * dim + j];
                    }
                }
            }
        }
        Shape s = new Shape(dim, dim);
        return new NDArray[] {
            interleave ? m.create(p, s).toType(dtype, false) : null, m.create(pr, s).toType(dtype, false)
        };
    }

    /**
     * Applies the rotation to {@code x [..., T, dim]} with tables from {@link #cosSin} and matrices from
     * {@link #matrices}: {@code (xP)*cos + (xPR)*sin}.
     */
    static NDArray apply(NDArray x, NDArray cos, NDArray sin, NDArray[] matrices) {
        NDArray xp = matrices[0] == null ? x : x.matMul(matrices[0]);
        return xp.mul(cos).add(x.matMul(matrices[1]).mul(sin));
    }
}

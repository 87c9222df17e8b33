package dev.r1j.core.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.r1j.core.Djl;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AdamWTest {
    private static final String[] NAMES = {"model.layers.0.mlp.up_proj.weight", "model.layers.0.input_layernorm.weight",
        "lm_head.bias"};
    private static final int N = 5;

    /** Sets each parameter's gradient to {@code grads[i]} via a backward pass of sum(p * c). */
    private static void setGrads(NDManager m, Map<String, NDArray> params, float[][] grads) {
        AdamW.zeroGrad(params);
        try (NDManager sm = m.newSubManager(); GradientCollector gc = Djl.engine().newGradientCollector()) {
            NDArray loss = null;
            int i = 0;
            for (NDArray p : params.values()) {
                NDArray term = p.mul(sm.create(grads[i++])).sum();
                loss = loss == null ? term : loss.add(term);
            }
            gc.backward(loss);
        }
    }

    private static Map<String, NDArray> params(NDManager m, float[][] init) {
        Map<String, NDArray> p = new LinkedHashMap<>();
        for (int i = 0; i < NAMES.length; i++) {
            NDArray a = m.create(init[i].clone());
            a.setRequiresGradient(true);
            p.put(NAMES[i], a);
        }
        return p;
    }

    @Test
    void threeStepsMatchANaiveAdamWWithDecoupledDecay() {
        double b1 = 0.9, b2 = 0.99, eps = 1e-8, wd = 0.1;
        double[] lrs = {0.01, 0.02, 0.005};
        Random rnd = new Random(3);
        float[][] init = new float[NAMES.length][N];
        float[][][] grads = new float[3][NAMES.length][N];
        for (int i = 0; i < NAMES.length; i++) {
            for (int j = 0; j < N; j++) {
                init[i][j] = (float) rnd.nextGaussian();
                for (int s = 0; s < 3; s++) grads[s][i][j] = (float) (rnd.nextGaussian() * (s + 1));
            }
        }
        // Naive reference in doubles, straight from the paper's algorithm (decay only for the weight matrix).
        double[][] p = new double[NAMES.length][N], mm = new double[NAMES.length][N], vv = new double[NAMES.length][N];
        for (int i = 0; i < NAMES.length; i++) for (int j = 0; j < N; j++) p[i][j] = init[i][j];
        for (int s = 0; s < 3; s++) {
            int t = s + 1;
            for (int i = 0; i < NAMES.length; i++) {
                for (int j = 0; j < N; j++) {
                    double g = grads[s][i][j];
                    mm[i][j] = b1 * mm[i][j] + (1 - b1) * g;
                    vv[i][j] = b2 * vv[i][j] + (1 - b2) * g * g;
                    double mHat = mm[i][j] / (1 - Math.pow(b1, t)), vHat = vv[i][j] / (1 - Math.pow(b2, t));
                    if (i == 0) p[i][j] -= lrs[s] * wd * p[i][j];
                    p[i][j] -= lrs[s] * mHat / (Math.sqrt(vHat) + eps);
                }
            }
        }
        try (NDManager m = Djl.newManager()) {
            Map<String, NDArray> params = params(m, init);
            try (AdamW opt = new AdamW(params, new AdamW.Config(b1, b2, eps, wd))) {
                for (int s = 0; s < 3; s++) {
                    setGrads(m, params, grads[s]);
                    opt.step(lrs[s]);
                }
                assertEquals(3, opt.stepCount());
                int i = 0;
                for (NDArray a : params.values()) {
                    float[] got = a.toFloatArray();
                    for (int j = 0; j < N; j++) assertEquals(p[i][j], got[j], 1e-6, NAMES[i] + "[" + j + "]");
                    i++;
                }
            }
        }
    }

    /**
     * A large parameter is updated in slices of rows (views): the result is the whole-array update's bit for bit,
     * for a matrix (one or two rows per slice), a vector and a scalar.
     */
    @Test
    void slicedUpdatesEqualTheWholeArrayUpdateBitForBit() {
        Random rnd = new Random(9);
        Shape[] shapes = {new Shape(7, 3), new Shape(10), new Shape()};
        String[] names = {"w.weight", "v.weight", "s.bias"};
        float[][] sliced = null;
        for (long sliceElements : new long[] {1L << 22, 4, 6}) {
            rnd.setSeed(9);
            try (NDManager m = Djl.newManager()) {
                Map<String, NDArray> params = new LinkedHashMap<>();
                for (int i = 0; i < shapes.length; i++) {
                    float[] x = new float[(int) shapes[i].size()];
                    for (int j = 0; j < x.length; j++) x[j] = (float) rnd.nextGaussian();
                    NDArray a = m.create(x, shapes[i]);
                    a.setRequiresGradient(true);
                    params.put(names[i], a);
                }
                try (AdamW opt = new AdamW(params, new AdamW.Config(0.9, 0.99, 1e-8, 0.1), AdamW::defaultDecayRule,
                        sliceElements)) {
                    for (int step = 0; step < 3; step++) {
                        AdamW.zeroGrad(params);
                        try (NDManager sm = m.newSubManager(); GradientCollector gc = Djl.engine().newGradientCollector()) {
                            NDArray loss = null;
                            for (NDArray p : params.values()) {
                                float[] c = new float[(int) p.getShape().size()];
                                for (int j = 0; j < c.length; j++) c[j] = (float) rnd.nextGaussian();
                                NDArray term = p.mul(sm.create(c, p.getShape())).sum();
                                loss = loss == null ? term : loss.add(term);
                            }
                            gc.backward(loss);
                        }
                        opt.step(0.01);
                    }
                }
                float[][] got = params.values().stream().map(NDArray::toFloatArray).toArray(float[][]::new);
                if (sliced == null) {
                    sliced = got;
                } else {
                    for (int i = 0; i < got.length; i++) {
                        assertArrayEquals(sliced[i], got[i], names[i] + " with slices of " + sliceElements);
                    }
                }
            }
        }
    }

    @Test
    void stateRoundTripContinuesIdentically() {
        Random rnd = new Random(5);
        float[][] init = new float[NAMES.length][N];
        float[][][] grads = new float[2][NAMES.length][N];
        for (int i = 0; i < NAMES.length; i++) {
            for (int j = 0; j < N; j++) {
                init[i][j] = (float) rnd.nextGaussian();
                grads[0][i][j] = (float) rnd.nextGaussian();
                grads[1][i][j] = (float) rnd.nextGaussian();
            }
        }
        AdamW.Config cfg = new AdamW.Config(0.9, 0.999, 1e-8, 0.01);
        try (NDManager m = Djl.newManager()) {
            Map<String, NDArray> a = params(m, init);
            Map<String, NDArray> state;
            float[][] afterOne = new float[NAMES.length][];
            try (AdamW opt = new AdamW(a, cfg)) {
                setGrads(m, a, grads[0]);
                opt.step(0.01);
                state = opt.state(m);
                int i = 0;
                for (NDArray x : a.values()) afterOne[i++] = x.toFloatArray();
                setGrads(m, a, grads[1]);
                opt.step(0.01);
            }
            assertEquals(2 * NAMES.length + 1, state.size());
            assertEquals(1L, state.get("step").toLongArray()[0]);
            Map<String, NDArray> b = params(m, afterOne);
            try (AdamW opt = new AdamW(b, cfg)) {
                opt.loadState(state);
                assertEquals(1, opt.stepCount());
                setGrads(m, b, grads[1]);
                opt.step(0.01);
            }
            for (String name : NAMES) {
                float[] x = a.get(name).toFloatArray(), y = b.get(name).toFloatArray();
                for (int j = 0; j < N; j++) assertEquals(x[j], y[j], 0f, name);
            }
            Map<String, NDArray> bad = new LinkedHashMap<>(state);
            bad.put(NAMES[0] + ".exp_avg", m.zeros(new Shape(N + 1)));
            try (AdamW opt = new AdamW(b, cfg)) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> opt.loadState(bad));
                assertTrue(e.getMessage().contains(NAMES[0] + ".exp_avg"), e.getMessage());
            }
        }
    }

    @Test
    void decayRuleSkipsNormsAndBiases() {
        assertTrue(AdamW.defaultDecayRule("model.layers.0.self_attn.q_proj.weight"));
        assertTrue(AdamW.defaultDecayRule("model.embed_tokens.weight"));
        assertFalse(AdamW.defaultDecayRule("model.norm.weight"));
        assertFalse(AdamW.defaultDecayRule("model.layers.1.post_attention_layernorm.weight"));
        assertFalse(AdamW.defaultDecayRule("model.layers.0.self_attn.q_proj.bias"));
    }
}

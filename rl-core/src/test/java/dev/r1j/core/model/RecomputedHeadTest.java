package dev.r1j.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.r1j.core.Djl;
import dev.r1j.core.optim.AdamW;
import dev.r1j.core.testing.RootManager;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The LM head recomputed chunk by chunk in the backward ({@link RecomputedHead}) gives the log-probs, entropies and
 * parameter gradients of the plain recorded head, in float64 to rounding, with chunks of one and two positions (so
 * that chunk boundaries and a short last chunk are crossed), at temperature 1 and 0.7, with and without layer
 * checkpointing.
 */
class RecomputedHeadTest {
    @RootManager static NDManager root;

    private record Pass(double[] logProbs, double[] entropy, Map<String, double[]> grads) {}

    @Test
    void chunkedRecomputedHeadEqualsThePlainBackward() {
        ModelConfig config = ModelConfig.tinyQwen2(20).withTieWordEmbeddings(true);
        try (NDManager m = root.newSubManager()) {
            Map<String, NDArray> weights = new LinkedHashMap<>();
            try (Transformer f32 = Transformer.create(config, m, 8)) {
                f32.parameters().forEach((k, v) -> {
                    NDArray d = v.toType(DataType.FLOAT64, true);
                    d.attach(m);
                    weights.put(k, d);
                });
            }
            try (Transformer model = Transformer.fromParameters(config, m, weights)) {
                for (double temperature : new double[] {1.0, 0.7}) {
                    Pass plain = pass(model, m, temperature, 0, false);
                    for (long chunkPositions : new long[] {1, 2}) {
                        for (boolean checkpoint : new boolean[] {false, true}) {
                            model.setGradientCheckpointing(checkpoint);
                            Pass recomputed = pass(model, m, temperature, chunkPositions, true);
                            model.setGradientCheckpointing(false);
                            String what = "T " + temperature + ", chunk " + chunkPositions + ", checkpoint " + checkpoint;
                            assertClose(plain.logProbs(), recomputed.logProbs(), what + ": log-probs");
                            assertClose(plain.entropy(), recomputed.entropy(), what + ": entropy");
                            int nonZero = 0;
                            StringBuilder bad = new StringBuilder();
                            for (String name : plain.grads().keySet()) {
                                double[] a = plain.grads().get(name), b = recomputed.grads().get(name);
                                double max = 0;
                                for (int i = 0; i < a.length; i++) {
                                    max = Math.max(max, Math.abs(a[i] - b[i]));
                                    if (a[i] != 0) nonZero++;
                                }
                                if (!(max <= 1e-12)) bad.append(name).append(": max difference ").append(max).append('\n');
                            }
                            assertEquals("", bad.toString(), what + ": gradients");
                            assertTrue(nonZero > 1000, "the loss must reach the parameters: " + nonZero);
                        }
                    }
                }
            }
        }
    }

    /** A weighted sum of completion log-probs (scored from column 2 of a left-padded batch), backpropagated. */
    private static Pass pass(Transformer model, NDManager parent, double temperature, long chunkPositions,
            boolean recompute) {
        AdamW.zeroGrad(model.trainableParameters());
        try (NDManager m = parent.newSubManager()) {
            NDArray ids = m.create(new long[][] {{3, 7, 1, 9, 4, 11, 2}, {0, 0, 5, 2, 8, 6, 13}});
            NDArray mask = m.create(new long[][] {{1, 1, 1, 1, 1, 1, 1}, {0, 0, 1, 1, 1, 1, 1}});
            NDArray coef = m.create(new double[][] {{0.3, -1.1, 0.7, 0.9, -0.4}, {0.5, -0.2, 1.3, -0.6, 0.8}});
            double[] lp;
            double[] ent;
            try (GradientCollector gc = Djl.engine().newGradientCollector()) {
                LogProbs.TokenStats s;
                if (recompute) {
                    NDArray hidden = model.hiddenStates(ids, mask);
                    NDArray positions = hidden.get(new NDIndex(":, 1:6, :"));
                    NDArray targets = ids.get(new NDIndex(":, 2:"));
                    long vocab = model.config().vocabSize();
                    s = RecomputedHead.forward(model, positions, targets, temperature, true, 2 * vocab * chunkPositions);
                    assertEquals(1, model.pendingHeadPasses());
                } else {
                    s = LogProbs.of(model, ids, mask, 2, temperature, true);
                }
                lp = s.logProbs().toDoubleArray();
                ent = s.entropy().toDoubleArray();
                model.backward(gc, s.logProbs().mul(coef).sum());
                assertEquals(0, model.pendingHeadPasses());
            }
            Map<String, double[]> grads = new LinkedHashMap<>();
            model.trainableParameters().forEach((k, v) -> grads.put(k, v.getGradient().toDoubleArray()));
            return new Pass(lp, ent, grads);
        }
    }

    private static void assertClose(double[] a, double[] b, String what) {
        assertEquals(a.length, b.length, what);
        double max = 0;
        for (int i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
        assertTrue(max <= 1e-12, what + ": max difference " + max);
    }
}

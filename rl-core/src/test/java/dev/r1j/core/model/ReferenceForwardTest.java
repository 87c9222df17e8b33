package dev.r1j.core.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.r1j.core.testing.RootManager;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Whole-model logits against {@link NaiveReference}: catches head grouping, rope pairing, MLA and MoE wiring. */
class ReferenceForwardTest {
    @RootManager static NDManager root;

    static Stream<ModelConfig> configs() {
        return Stream.of(
                ModelConfig.tinyLlama(40),
                ModelConfig.tinyQwen2(40),
                ModelConfig.tinyDeepSeekV3(40, null),
                ModelConfig.tinyDeepSeekV3(40, 12));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void logitsMatchTheNaiveReference(ModelConfig config) {
        try (NDManager m = root.newSubManager(); Transformer model = Transformer.create(config, m, 31)) {
            Map<String, NDArray> p = model.parameters();
            // non-trivial norms, biases and router bias, so that their wiring shows in the logits
            java.util.Random r = new java.util.Random(4);
            for (Map.Entry<String, NDArray> e : p.entrySet()) {
                String n = e.getKey();
                if (n.endsWith("norm.weight") || n.endsWith(".bias") || n.endsWith("e_score_correction_bias")) {
                    float[] v = new float[(int) e.getValue().size()];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (n.endsWith("norm.weight") ? 1f : 0f) + (float) (0.3 * r.nextGaussian());
                    }
                    e.getValue().set(v);
                } else if (n.endsWith("gate.weight") || n.endsWith("embed_tokens.weight")) {
                    e.getValue().muli(25); // spread router scores / make hidden states large enough to matter
                } else {
                    e.getValue().muli(5);
                }
            }
            int[] ids = {3, 17, 5, 39, 1, 22, 8};
            long[] idsL = new long[ids.length];
            for (int i = 0; i < ids.length; i++) {
                idsL[i] = ids[i];
            }
            float[] got = model.forward(m.create(new long[][] {idsL}), null, null).toFloatArray();
            double[][] want = new NaiveReference(config, p).logits(ids);
            double maxDiff = 0;
            double maxAbs = 0;
            int v = config.vocabSize();
            for (int t = 0; t < ids.length; t++) {
                for (int k = 0; k < v; k++) {
                    maxDiff = Math.max(maxDiff, Math.abs(want[t][k] - got[t * v + k]));
                    maxAbs = Math.max(maxAbs, Math.abs(want[t][k]));
                }
            }
            assertTrue(maxAbs > 0.5, "logits too small for a meaningful comparison: " + maxAbs);
            assertTrue(maxDiff < 1e-4 * Math.max(1, maxAbs), config.modelType() + ": max abs diff " + maxDiff
                    + " (max |logit| " + maxAbs + ")");
        }
    }
}

package dev.r1j.core.model;

import dev.r1j.core.testing.RootManager;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.r1j.core.Djl;
import dev.r1j.core.optim.AdamW;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Gradient checkpointing recomputes each decoder layer in the backward: every parameter's gradient must be the one
 * of the plain backward. In float64 the two agree to rounding (1e-12); float32 too, to 1e-6 relative.
 */
class GradientCheckpointingTest {
    @RootManager static NDManager root;

    static Stream<ModelConfig> configs() {
        return Stream.of(ModelConfig.tinyLlama(20).withTieWordEmbeddings(true), ModelConfig.tinyQwen2(20),
                ModelConfig.tinyDeepSeekV3(20, 12));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void gradientsAreThoseOfThePlainBackward(ModelConfig config) {
        try (NDManager m = root.newSubManager()) {
            Map<String, NDArray> weights = new LinkedHashMap<>();
            try (Transformer f32 = Transformer.create(config, m, 21)) {
                f32.parameters().forEach((k, v) -> {
                    NDArray d = v.toType(DataType.FLOAT64, true);
                    d.attach(m);
                    weights.put(k, d);
                });
            }
            try (Transformer model = Transformer.fromParameters(config, m, weights)) {
                Map<String, double[]> plain = gradients(model, m);
                model.setGradientCheckpointing(true);
                Map<String, double[]> checkpointed = gradients(model, m);
                assertEquals(0, model.pendingCheckpointedPasses());
                int nonZero = 0;
                StringBuilder bad = new StringBuilder();
                for (String name : plain.keySet()) {
                    double[] a = plain.get(name), b = checkpointed.get(name);
                    double max = 0;
                    for (int i = 0; i < a.length; i++) {
                        max = Math.max(max, Math.abs(a[i] - b[i]));
                        if (a[i] != 0) nonZero++;
                    }
                    if (!(max <= 1e-12)) bad.append(name).append(": max |plain - checkpointed| = ").append(max).append('\n');
                }
                assertEquals("", bad.toString());
                assertTrue(nonZero > 1000, "the loss must reach the parameters, " + nonZero + " non-zero entries");
            }
        }
    }

    /**
     * With LoRA only the adapters record gradients and the frozen embedding's output has no graph: the adapters'
     * gradients are still the plain backward's (this combination crashed the JVM in DJL's JNI before the fix).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void loraGradientsAreThoseOfThePlainBackward(ModelConfig config) {
        try (NDManager m = root.newSubManager()) {
            Map<String, NDArray> weights = new LinkedHashMap<>();
            try (Transformer f32 = Transformer.create(config, m, 21)) {
                f32.parameters().forEach((k, v) -> {
                    NDArray d = v.toType(DataType.FLOAT64, true);
                    d.attach(m);
                    weights.put(k, d);
                });
            }
            try (Transformer model = Transformer.fromParameters(config, m, weights);
                    LoraAdapters adapters = LoraAdapters.create(model,
                            new LoraConfig(3, 6, 0, java.util.List.of(LoraConfig.ALL_LINEAR), false), 5)) {
                // B starts at zero, which would leave A without gradient: give it values
                Djl.withoutGradients(() -> {
                    adapters.parameters().forEach((k, v) -> {
                        if (k.endsWith("lora_B.weight")) v.addi(m.randomNormal(0, 0.1f, v.getShape(), v.getDataType()));
                    });
                    return null;
                });
                model.setAdapters(adapters);
                Map<String, double[]> plain = gradients(model, m);
                model.setGradientCheckpointing(true);
                Map<String, double[]> checkpointed = gradients(model, m);
                assertEquals(adapters.parameters().keySet(), plain.keySet());
                int nonZero = 0;
                StringBuilder bad = new StringBuilder();
                for (String name : plain.keySet()) {
                    double[] a = plain.get(name), b = checkpointed.get(name);
                    double max = 0;
                    for (int i = 0; i < a.length; i++) {
                        max = Math.max(max, Math.abs(a[i] - b[i]));
                        if (a[i] != 0) nonZero++;
                    }
                    if (!(max <= 1e-12)) bad.append(name).append(": max |plain - checkpointed| = ").append(max).append('\n');
                }
                assertEquals("", bad.toString());
                assertTrue(nonZero > 500, "the loss must reach the adapters, " + nonZero + " non-zero entries");
                model.setAdapters(null);
            }
        }
    }

    /** Gradients of a fixed weighting of the log-probs (two forwards before one backward, as DPO does). */
    private static Map<String, double[]> gradients(Transformer model, NDManager parent) {
        AdamW.zeroGrad(model.trainableParameters());
        try (NDManager m = parent.newSubManager()) {
            NDArray ids = m.create(new long[][] {{3, 7, 1, 9, 4, 11}, {0, 0, 5, 2, 8, 6}});
            NDArray mask = m.create(new long[][] {{1, 1, 1, 1, 1, 1}, {0, 0, 1, 1, 1, 1}});
            NDArray coef = m.create(new double[][] {{0.3, -1.1, 0.7, 0.9, -0.4}, {0, 0, 1.3, -0.6, 0.8}});
            NDArray other = m.create(new long[][] {{5, 5, 2, 19, 0, 4}});
            try (GradientCollector gc = Djl.engine().newGradientCollector()) {
                NDArray loss = LogProbs.tokenLogProbs(model, ids, mask).mul(coef).sum()
                        .add(LogProbs.tokenLogProbs(model, other, null).sum().mul(0.25));
                if (model.gradientCheckpointing()) {
                    assertEquals(2, model.pendingCheckpointedPasses());
                    assertEquals(2, model.pendingHeadPasses(), "checkpointing recomputes the LM head too");
                }
                model.backward(gc, loss);
            }
        }
        Map<String, double[]> out = new LinkedHashMap<>();
        model.trainableParameters().forEach((k, v) -> out.put(k, v.getGradient().toType(DataType.FLOAT64, false).toDoubleArray()));
        return out;
    }
}

package dev.r1j.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.r1j.core.Djl;
import dev.r1j.core.testing.RootManager;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Autograd through the whole model and {@link LogProbs} against central finite differences. The model runs in
 * float64 (same code, float64 weights) so that eps = 1e-5 gives differences accurate to ~1e-9 and the tolerance
 * can be tight.
 */
class GradientTest {
    @RootManager static NDManager root;

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(ModelConfig.tinyLlama(20).withTieWordEmbeddings(true), List.of(
                        "model.embed_tokens.weight", "model.layers.0.self_attn.q_proj.weight",
                        "model.layers.1.self_attn.k_proj.weight", "model.layers.0.mlp.down_proj.weight",
                        "model.layers.1.input_layernorm.weight", "model.norm.weight")),
                Arguments.of(ModelConfig.tinyQwen2(20), List.of(
                        "model.layers.0.self_attn.v_proj.bias", "model.layers.1.self_attn.q_proj.bias",
                        "model.layers.0.mlp.gate_proj.weight")),
                Arguments.of(ModelConfig.tinyDeepSeekV3(20, 12), List.of(
                        "model.layers.0.self_attn.q_a_proj.weight", "model.layers.1.self_attn.q_a_layernorm.weight",
                        "model.layers.1.self_attn.kv_a_proj_with_mqa.weight", "model.layers.2.self_attn.kv_b_proj.weight",
                        "model.layers.0.self_attn.kv_a_layernorm.weight", "model.layers.1.mlp.gate.weight",
                        "model.layers.1.mlp.experts.*", "model.layers.2.mlp.shared_experts.up_proj.weight",
                        "lm_head.weight")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradientsMatchCentralDifferences(ModelConfig config, List<String> tensors) {
        try (NDManager m = root.newSubManager()) {
            Map<String, NDArray> weights = new LinkedHashMap<>();
            try (Transformer f32 = Transformer.create(config, m, 13)) {
                f32.parameters().forEach((k, v) -> {
                    NDArray d = v.toType(DataType.FLOAT64, true);
                    d.attach(m); // outlive the float32 model's manager
                    weights.put(k, d);
                });
            }
            try (Transformer model = Transformer.fromParameters(config, m, weights)) {
                NDArray ids = m.create(new long[][] {{3, 7, 1, 9, 4, 11}, {0, 0, 5, 2, 8, 6}});
                NDArray mask = m.create(new long[][] {{1, 1, 1, 1, 1, 1}, {0, 0, 1, 1, 1, 1}});
                // a fixed random weighting of the real targets, so every position's gradient path counts
                NDArray coef = m.create(new double[][] {{0.3, -1.1, 0.7, 0.9, -0.4}, {0, 0, 1.3, -0.6, 0.8}});
                try (GradientCollector gc = Djl.engine().newGradientCollector()) {
                    NDArray loss = LogProbs.tokenLogProbs(model, ids, mask).mul(coef).sum();
                    gc.backward(loss);
                }
                int checked = 0;
                for (String pattern : tensors) {
                    String name = resolve(model, pattern);
                    NDArray w = model.parameters().get(name);
                    double[] grad = w.getGradient().toDoubleArray();
                    int size = grad.length;
                    for (int idx : new int[] {0, size / 3, size - 1, largest(grad)}) {
                        double fd = centralDifference(model, w, idx, ids, mask, coef);
                        double tol = 1e-6 + 1e-5 * Math.abs(fd);
                        assertEquals(fd, grad[idx], tol, name + "[" + idx + "]");
                        checked++;
                    }
                    assertTrue(Math.abs(grad[largest(grad)]) > 1e-6, name + ": gradient is all zero, test is dead");
                }
                assertEquals(4 * tensors.size(), checked);
            }
        }
    }

    /** A pattern ending in {@code .*} picks the first routed expert that got tokens (non-zero gradient). */
    private static String resolve(Transformer model, String pattern) {
        if (!pattern.endsWith(".*")) {
            return pattern;
        }
        String prefix = pattern.substring(0, pattern.length() - 1);
        for (int j = 0; ; j++) {
            String name = prefix + j + ".up_proj.weight";
            NDArray g = model.parameters().get(name).getGradient();
            if (g.abs().max().getDouble() > 0) {
                return name;
            }
        }
    }

    private static int largest(double[] g) {
        int best = 0;
        for (int i = 1; i < g.length; i++) {
            if (Math.abs(g[i]) > Math.abs(g[best])) {
                best = i;
            }
        }
        return best;
    }

    private static double centralDifference(Transformer model, NDArray w, int idx, NDArray ids, NDArray mask,
            NDArray coef) {
        double eps = 1e-5;
        double[] data = w.toDoubleArray();
        double orig = data[idx];
        data[idx] = orig + eps;
        w.set(data);
        double plus = LogProbs.tokenLogProbs(model, ids, mask).mul(coef).sum().getDouble();
        data[idx] = orig - eps;
        w.set(data);
        double minus = LogProbs.tokenLogProbs(model, ids, mask).mul(coef).sum().getDouble();
        data[idx] = orig;
        w.set(data);
        return (plus - minus) / (2 * eps);
    }
}

package dev.r1j.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.r1j.core.Djl;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The parameter names must be exactly what Hugging Face transformers' state_dict holds, written out here from
 * modeling_llama / modeling_qwen2 / modeling_deepseek_v3, not derived from the code under test.
 */
class ParameterNamesTest {
    private static List<String> llamaLike(int layers, boolean qkvBias, boolean tied) {
        List<String> n = new ArrayList<>(List.of("model.embed_tokens.weight"));
        for (int i = 0; i < layers; i++) {
            String p = "model.layers." + i + ".";
            n.add(p + "self_attn.q_proj.weight");
            if (qkvBias) {
                n.add(p + "self_attn.q_proj.bias");
            }
            n.add(p + "self_attn.k_proj.weight");
            if (qkvBias) {
                n.add(p + "self_attn.k_proj.bias");
            }
            n.add(p + "self_attn.v_proj.weight");
            if (qkvBias) {
                n.add(p + "self_attn.v_proj.bias");
            }
            n.addAll(List.of(p + "self_attn.o_proj.weight", p + "mlp.gate_proj.weight", p + "mlp.up_proj.weight",
                    p + "mlp.down_proj.weight", p + "input_layernorm.weight", p + "post_attention_layernorm.weight"));
        }
        n.add("model.norm.weight");
        if (!tied) {
            n.add("lm_head.weight");
        }
        return n;
    }

    @Test
    void llamaNames() {
        assertEquals(llamaLike(2, false, false), names(ModelConfig.tinyLlama(20)));
    }

    @Test
    void qwen2NamesHaveQkvBiasAndTiedHead() {
        assertEquals(llamaLike(2, true, true), names(ModelConfig.tinyQwen2(20)));
    }

    @Test
    void deepseekV3Names() {
        for (Integer qLora : new Integer[] {null, 12}) {
            ModelConfig c = ModelConfig.tinyDeepSeekV3(20, qLora);
            List<String> n = new ArrayList<>(List.of("model.embed_tokens.weight"));
            for (int i = 0; i < 3; i++) {
                String p = "model.layers." + i + ".";
                if (qLora == null) {
                    n.add(p + "self_attn.q_proj.weight");
                } else {
                    n.addAll(List.of(p + "self_attn.q_a_proj.weight", p + "self_attn.q_a_layernorm.weight",
                            p + "self_attn.q_b_proj.weight"));
                }
                n.addAll(List.of(p + "self_attn.kv_a_proj_with_mqa.weight", p + "self_attn.kv_a_layernorm.weight",
                        p + "self_attn.kv_b_proj.weight", p + "self_attn.o_proj.weight"));
                if (i == 0) { // first_k_dense_replace = 1
                    n.addAll(List.of(p + "mlp.gate_proj.weight", p + "mlp.up_proj.weight", p + "mlp.down_proj.weight"));
                } else {
                    for (int j = 0; j < 8; j++) {
                        n.addAll(List.of(p + "mlp.experts." + j + ".gate_proj.weight",
                                p + "mlp.experts." + j + ".up_proj.weight", p + "mlp.experts." + j + ".down_proj.weight"));
                    }
                    n.addAll(List.of(p + "mlp.gate.weight", p + "mlp.gate.e_score_correction_bias",
                            p + "mlp.shared_experts.gate_proj.weight", p + "mlp.shared_experts.up_proj.weight",
                            p + "mlp.shared_experts.down_proj.weight"));
                }
                n.addAll(List.of(p + "input_layernorm.weight", p + "post_attention_layernorm.weight"));
            }
            n.add("model.norm.weight");
            n.add("lm_head.weight");
            assertEquals(new TreeSet<>(n), new TreeSet<>(names(c)), "q_lora_rank " + qLora);
            assertEquals(n, names(c), "state_dict order, q_lora_rank " + qLora);
        }
    }

    @Test
    void deepseekV3ShapesFollowTheConfig() {
        ModelConfig c = ModelConfig.tinyDeepSeekV3(20, 12); // hidden 32, 4 heads, nope 8, rope 4, v 8, kv_lora 16
        LinkedHashMap<String, long[]> s = Transformer.expectedShapes(c);
        assertArrayEquals(new long[] {12, 32}, s.get("model.layers.0.self_attn.q_a_proj.weight"));
        assertArrayEquals(new long[] {4 * 12, 12}, s.get("model.layers.0.self_attn.q_b_proj.weight"));
        assertArrayEquals(new long[] {16 + 4, 32}, s.get("model.layers.0.self_attn.kv_a_proj_with_mqa.weight"));
        assertArrayEquals(new long[] {4 * (8 + 8), 16}, s.get("model.layers.0.self_attn.kv_b_proj.weight"));
        assertArrayEquals(new long[] {32, 4 * 8}, s.get("model.layers.0.self_attn.o_proj.weight"));
        assertArrayEquals(new long[] {16, 32}, s.get("model.layers.1.mlp.experts.7.gate_proj.weight"));
        assertArrayEquals(new long[] {32, 16}, s.get("model.layers.1.mlp.shared_experts.down_proj.weight"));
        assertArrayEquals(new long[] {8}, s.get("model.layers.2.mlp.gate.e_score_correction_bias"));
    }

    private static List<String> names(ModelConfig c) {
        return new ArrayList<>(Transformer.expectedShapes(c).keySet());
    }

    @Test
    void fromParametersNamesTheBadTensor() {
        ModelConfig c = ModelConfig.tinyLlama(20);
        try (NDManager m = Djl.newManager()) {
            Map<String, NDArray> ok = new LinkedHashMap<>();
            Transformer.expectedShapes(c).forEach((k, v) -> ok.put(k, m.zeros(new Shape(v))));

            Map<String, NDArray> missing = new LinkedHashMap<>(ok);
            missing.remove("model.layers.1.mlp.up_proj.weight");
            String e1 = assertThrows(IllegalArgumentException.class, () -> Transformer.fromParameters(c, m, missing))
                    .getMessage();
            assertTrue(e1.contains("missing tensor \"model.layers.1.mlp.up_proj.weight\"") && e1.contains("[64, 32]"), e1);

            Map<String, NDArray> extra = new LinkedHashMap<>(ok);
            extra.put("model.layers.0.self_attn.rotary_emb.inv_freq", m.zeros(new Shape(4)));
            String e2 = assertThrows(IllegalArgumentException.class, () -> Transformer.fromParameters(c, m, extra))
                    .getMessage();
            assertTrue(e2.contains("unexpected tensor \"model.layers.0.self_attn.rotary_emb.inv_freq\""), e2);

            Map<String, NDArray> shape = new LinkedHashMap<>(ok);
            shape.put("model.layers.0.self_attn.k_proj.weight", m.zeros(new Shape(32, 32)));
            String e3 = assertThrows(IllegalArgumentException.class, () -> Transformer.fromParameters(c, m, shape))
                    .getMessage();
            assertTrue(e3.contains("model.layers.0.self_attn.k_proj.weight") && e3.contains("expected shape [16, 32]")
                    && e3.contains("found [32, 32]"), e3);

            try (Transformer t = Transformer.fromParameters(c, m, ok)) {
                assertEquals(Transformer.expectedShapes(c).size(), t.parameters().size());
                long count = 0;
                for (long[] v : Transformer.expectedShapes(c).values()) {
                    count += new Shape(v).size();
                }
                assertEquals(count, t.parameterCount());
            }
        }
    }
}

package dev.r1j.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelConfigTest {
    /** Shaped like TinyLlama's config.json, with keys we ignore. */
    static final String LLAMA = """
            {"architectures": ["LlamaForCausalLM"], "attention_bias": false, "bos_token_id": 1, "eos_token_id": 2,
             "hidden_act": "silu", "hidden_size": 2048, "initializer_range": 0.02, "intermediate_size": 5632,
             "max_position_embeddings": 2048, "model_type": "llama", "num_attention_heads": 32,
             "num_hidden_layers": 22, "num_key_value_heads": 4, "pretraining_tp": 1, "rms_norm_eps": 1e-05,
             "rope_scaling": null, "rope_theta": 10000.0, "tie_word_embeddings": false, "torch_dtype": "bfloat16",
             "transformers_version": "4.35.0", "use_cache": true, "vocab_size": 32000}
            """;

    /** Shaped like Qwen2.5-0.5B-Instruct's config.json. */
    static final String QWEN2 = """
            {"architectures": ["Qwen2ForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 151643,
             "eos_token_id": 151645, "hidden_act": "silu", "hidden_size": 896, "initializer_range": 0.02,
             "intermediate_size": 4864, "max_position_embeddings": 32768, "max_window_layers": 21,
             "model_type": "qwen2", "num_attention_heads": 14, "num_hidden_layers": 24, "num_key_value_heads": 2,
             "rms_norm_eps": 1e-06, "rope_theta": 1000000.0, "sliding_window": 32768, "tie_word_embeddings": true,
             "torch_dtype": "bfloat16", "use_cache": true, "use_sliding_window": false, "vocab_size": 151936}
            """;

    /** Shaped like DeepSeek-V3's config.json (sizes as released). */
    static final String DEEPSEEK = """
            {"architectures": ["DeepseekV3ForCausalLM"], "attention_bias": false, "bos_token_id": 0,
             "eos_token_id": 1, "ep_size": 1, "first_k_dense_replace": 3, "hidden_act": "silu", "hidden_size": 7168,
             "intermediate_size": 18432, "kv_lora_rank": 512, "max_position_embeddings": 163840,
             "model_type": "deepseek_v3", "moe_intermediate_size": 2048, "moe_layer_freq": 1, "n_group": 8,
             "n_routed_experts": 256, "n_shared_experts": 1, "norm_topk_prob": true, "num_attention_heads": 128,
             "num_experts_per_tok": 8, "num_hidden_layers": 61, "num_key_value_heads": 128,
             "num_nextn_predict_layers": 1, "q_lora_rank": 1536, "qk_nope_head_dim": 128, "qk_rope_head_dim": 64,
             "quantization_config": {"activation_scheme": "dynamic", "fmt": "e4m3", "quant_method": "fp8",
             "weight_block_size": [128, 128]}, "rms_norm_eps": 1e-06,
             "rope_scaling": {"beta_fast": 32, "beta_slow": 1, "factor": 40, "mscale": 1.0, "mscale_all_dim": 1.0,
             "original_max_position_embeddings": 4096, "type": "yarn"}, "rope_theta": 10000,
             "routed_scaling_factor": 2.5, "scoring_func": "sigmoid", "tie_word_embeddings": false,
             "topk_group": 4, "topk_method": "noaux_tc", "torch_dtype": "bfloat16", "use_cache": true,
             "v_head_dim": 128, "vocab_size": 129280}
            """;

    @Test
    void readsRealShapedConfigs() {
        ModelConfig l = ModelConfig.parse(LLAMA, "llama.json");
        assertEquals("llama", l.modelType());
        assertEquals(32000, l.vocabSize());
        assertEquals(4, l.numKeyValueHeads());
        assertEquals(64, l.headDim());
        assertEquals(1e-5, l.rmsNormEps());
        assertEquals(List.of(2), l.eosTokenId());
        assertNull(l.ropeScaling());

        ModelConfig q = ModelConfig.parse(QWEN2, "qwen.json");
        assertTrue(q.tieWordEmbeddings());
        assertTrue(q.qkvBias());
        assertEquals(64, q.headDim());

        ModelConfig d = ModelConfig.parse(DEEPSEEK, "ds.json");
        assertEquals(1536, d.deepseek().qLoraRank());
        assertEquals(192, d.deepseek().qkHeadDim());
        assertEquals(64, d.headDim());
        assertEquals("yarn", d.ropeScaling().type());
        assertEquals(40.0, d.ropeScaling().factor());
        assertTrue(d.deepseek().ropeInterleave());
        assertTrue(!d.isMoeLayer(2) && d.isMoeLayer(3));
        assertEquals(129280, d.vocabSize());
    }

    @Test
    void jsonRoundTripKeepsEverything(@TempDir Path dir) throws Exception {
        for (ModelConfig c : List.of(ModelConfig.parse(LLAMA, "a"), ModelConfig.parse(QWEN2, "b"),
                ModelConfig.parse(DEEPSEEK, "c"), ModelConfig.tinyDeepSeekV3(40, null),
                ModelConfig.tinyLlama(30).withSpecialTokens(1, List.of(2, 3), 0))) {
            Path f = dir.resolve(c.modelType() + ".json");
            c.write(f);
            assertEquals(c, ModelConfig.read(f));
            String json = Files.readString(f);
            assertTrue(json.contains("\"architectures\" : [ \"" + c.architecture() + "\" ]"), json);
            assertTrue(json.contains("\"model_type\" : \"" + c.modelType() + "\""), json);
        }
        assertTrue(ModelConfig.tinyDeepSeekV3(40, null).toJson().contains("\"q_lora_rank\" : null"));
    }

    private static String message(String json) {
        return assertThrows(IllegalArgumentException.class, () -> ModelConfig.parse(json, "ckpt/config.json"))
                .getMessage();
    }

    @Test
    void badConfigsNameTheSourceAndField() {
        String missing = message(LLAMA.replace("\"hidden_size\": 2048,", ""));
        assertTrue(missing.startsWith("ckpt/config.json: hidden_size: missing"), missing);

        String unknown = message(LLAMA.replace("\"model_type\": \"llama\"", "\"model_type\": \"gpt2\""));
        assertTrue(unknown.contains("ckpt/config.json") && unknown.contains("model_type") && unknown.contains("gpt2")
                && unknown.contains("llama, qwen2, deepseek_v3"), unknown);

        String heads = message(LLAMA.replace("\"num_attention_heads\": 32", "\"num_attention_heads\": 30"));
        assertTrue(heads.contains("num_attention_heads") && heads.contains("hidden_size=2048"), heads);

        String kv = message(LLAMA.replace("\"num_key_value_heads\": 4", "\"num_key_value_heads\": 5"));
        assertTrue(kv.contains("num_key_value_heads") && kv.contains("divisor of num_attention_heads=32"), kv);

        String negative = message(LLAMA.replace("\"vocab_size\": 32000", "\"vocab_size\": -3"));
        assertTrue(negative.contains("vocab_size: expected a positive integer, found -3"), negative);

        String type = message(LLAMA.replace("\"intermediate_size\": 5632", "\"intermediate_size\": \"big\""));
        assertTrue(type.contains("intermediate_size: expected an integer"), type);

        String rope = message(LLAMA.replace("\"rope_scaling\": null", "\"rope_scaling\": {\"type\": \"dynamic\", \"factor\": 2}"));
        assertTrue(rope.contains("rope_scaling.type") && rope.contains("dynamic"), rope);

        String scoring = message(DEEPSEEK.replace("\"sigmoid\"", "\"softmax\""));
        assertTrue(scoring.contains("scoring_func"), scoring);

        String groups = message(DEEPSEEK.replace("\"n_group\": 8", "\"n_group\": 7"));
        assertTrue(groups.contains("n_group") && groups.contains("256"), groups);

        String qlora = message(DEEPSEEK.replace("\"q_lora_rank\": 1536,", ""));
        assertTrue(qlora.contains("q_lora_rank: missing"), qlora);

        String notJson = message("{\"model_type\": ");
        assertTrue(notJson.startsWith("ckpt/config.json: not valid JSON"), notJson);

        String sliding = message(QWEN2.replace("\"use_sliding_window\": false", "\"use_sliding_window\": true"));
        assertTrue(sliding.contains("use_sliding_window"), sliding);
    }

    @Test
    void defaultRopeScalingIsNoScaling() {
        ModelConfig c = ModelConfig.parse(LLAMA.replace("\"rope_scaling\": null",
                "\"rope_scaling\": {\"rope_type\": \"default\"}"), "x");
        assertNull(c.ropeScaling());
    }
}

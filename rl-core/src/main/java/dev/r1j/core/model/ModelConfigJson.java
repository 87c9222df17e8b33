package dev.r1j.core.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/** Reads and writes {@link ModelConfig} as Hugging Face config.json; one field-named error per bad input. */
final class ModelConfigJson {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ModelConfigJson() {}

    static ModelConfig parse(String json, String source) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": not valid JSON: " + e.getOriginalMessage()
                    + " at line " + e.getLocation().getLineNr(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(source + ": expected a JSON object (a Hugging Face config.json)");
        }
        try {
            return fromTree(root);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    private static ModelConfig fromTree(JsonNode n) {
        String type = requiredText(n, "model_type");
        if (!ModelConfig.MODEL_TYPES.contains(type)) {
            throw new IllegalArgumentException("model_type: expected one of " + ModelConfig.MODEL_TYPES + ", found \""
                    + type + "\"");
        }
        String act = optText(n, "hidden_act", "silu");
        if (!act.equals("silu")) {
            throw new IllegalArgumentException("hidden_act: expected \"silu\" (SwiGLU), found \"" + act + "\"");
        }
        if (type.equals("qwen2") && optBool(n, "use_sliding_window", false)) {
            throw new IllegalArgumentException("use_sliding_window: sliding-window attention is not supported, expected false");
        }
        int hidden = requiredInt(n, "hidden_size");
        int heads = requiredInt(n, "num_attention_heads");
        ModelConfig.positive("num_attention_heads", heads);
        int kvHeads = optInt(n, "num_key_value_heads", heads);
        ModelConfig.DeepSeekV3 ds = type.equals("deepseek_v3") ? deepseek(n) : null;
        int headDim;
        if (ds != null) {
            headDim = ds.qkRopeHeadDim(); // Hugging Face's DeepseekV3Config sets head_dim = qk_rope_head_dim
        } else {
            if (!n.hasNonNull("head_dim") && hidden % heads != 0) {
                throw new IllegalArgumentException("num_attention_heads: expected a divisor of hidden_size=" + hidden
                        + ", found " + heads);
            }
            headDim = optInt(n, "head_dim", hidden / heads);
        }
        return new ModelConfig(
                type,
                requiredInt(n, "vocab_size"),
                hidden,
                requiredInt(n, "intermediate_size"),
                requiredInt(n, "num_hidden_layers"),
                heads,
                kvHeads,
                headDim,
                requiredInt(n, "max_position_embeddings"),
                optDouble(n, "rms_norm_eps", 1e-6),
                optDouble(n, "rope_theta", 10000.0),
                ropeScaling(n.get("rope_scaling")),
                optBool(n, "tie_word_embeddings", false),
                optBool(n, "attention_bias", false),
                optBool(n, "mlp_bias", false),
                optInteger(n, "bos_token_id"),
                eos(n.get("eos_token_id")),
                optInteger(n, "pad_token_id"),
                optText(n, "torch_dtype", null),
                ds);
    }

    private static ModelConfig.DeepSeekV3 deepseek(JsonNode n) {
        if (!n.has("q_lora_rank")) {
            throw new IllegalArgumentException("q_lora_rank: missing; expected an integer or null (null = plain q_proj)");
        }
        return new ModelConfig.DeepSeekV3(
                requiredInt(n, "n_routed_experts"),
                requiredInt(n, "num_experts_per_tok"),
                requiredInt(n, "n_shared_experts"),
                requiredInt(n, "moe_intermediate_size"),
                requiredInt(n, "first_k_dense_replace"),
                optInt(n, "moe_layer_freq", 1),
                optDouble(n, "routed_scaling_factor", 2.5),
                optBool(n, "norm_topk_prob", true),
                requiredInt(n, "n_group"),
                requiredInt(n, "topk_group"),
                optText(n, "scoring_func", "sigmoid"),
                optText(n, "topk_method", "noaux_tc"),
                optInteger(n, "q_lora_rank"),
                requiredInt(n, "kv_lora_rank"),
                requiredInt(n, "qk_nope_head_dim"),
                requiredInt(n, "qk_rope_head_dim"),
                requiredInt(n, "v_head_dim"),
                optBool(n, "rope_interleave", true));
    }

    private static RopeScaling ropeScaling(JsonNode r) {
        if (r == null || r.isNull()) {
            return null;
        }
        if (!r.isObject()) {
            throw new IllegalArgumentException("rope_scaling: expected null or an object, found " + r);
        }
        String type = r.hasNonNull("rope_type") ? r.get("rope_type").asText()
                : r.hasNonNull("type") ? r.get("type").asText() : null;
        if (type == null) {
            throw new IllegalArgumentException("rope_scaling.type: missing (expected \"default\" or \"yarn\")");
        }
        return new RopeScaling(type, dbl(r, "factor"), r.hasNonNull("original_max_position_embeddings")
                ? r.get("original_max_position_embeddings").asInt() : null, dbl(r, "beta_fast"), dbl(r, "beta_slow"),
                dbl(r, "mscale"), dbl(r, "mscale_all_dim"), dbl(r, "attention_factor"));
    }

    private static Double dbl(JsonNode r, String key) {
        JsonNode v = r.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isNumber()) {
            throw new IllegalArgumentException("rope_scaling." + key + ": expected a number, found " + v);
        }
        return v.asDouble();
    }

    private static List<Integer> eos(JsonNode v) {
        List<Integer> out = new ArrayList<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (v.isIntegralNumber()) {
            out.add(v.asInt());
        } else if (v.isArray()) {
            for (JsonNode e : v) {
                if (!e.isIntegralNumber()) {
                    throw new IllegalArgumentException("eos_token_id: expected integers, found " + e);
                }
                out.add(e.asInt());
            }
        } else {
            throw new IllegalArgumentException("eos_token_id: expected an integer or a list of integers, found " + v);
        }
        return out;
    }

    private static String requiredText(JsonNode n, String key) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException(key + ": missing (expected one of " + ModelConfig.MODEL_TYPES + ")");
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException(key + ": expected a string, found " + v);
        }
        return v.asText();
    }

    private static String optText(JsonNode n, String key, String dflt) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException(key + ": expected a string, found " + v);
        }
        return v.asText();
    }

    private static int requiredInt(JsonNode n, String key) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException(key + ": missing (expected a positive integer)");
        }
        return asInt(key, v);
    }

    private static int optInt(JsonNode n, String key, int dflt) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() ? dflt : asInt(key, v);
    }

    private static Integer optInteger(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() ? null : asInt(key, v);
    }

    private static int asInt(String key, JsonNode v) {
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new IllegalArgumentException(key + ": expected an integer, found " + v);
        }
        return v.asInt();
    }

    private static double optDouble(JsonNode n, String key, double dflt) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isNumber()) {
            throw new IllegalArgumentException(key + ": expected a number, found " + v);
        }
        return v.asDouble();
    }

    private static boolean optBool(JsonNode n, String key, boolean dflt) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw new IllegalArgumentException(key + ": expected true or false, found " + v);
        }
        return v.asBoolean();
    }

    static String toJson(ModelConfig c) {
        ObjectNode o = MAPPER.createObjectNode();
        o.putArray("architectures").add(c.architecture());
        o.put("model_type", c.modelType());
        o.put("vocab_size", c.vocabSize());
        o.put("hidden_size", c.hiddenSize());
        o.put("intermediate_size", c.intermediateSize());
        o.put("num_hidden_layers", c.numHiddenLayers());
        o.put("num_attention_heads", c.numAttentionHeads());
        o.put("num_key_value_heads", c.numKeyValueHeads());
        o.put("head_dim", c.headDim());
        o.put("max_position_embeddings", c.maxPositionEmbeddings());
        o.put("rms_norm_eps", c.rmsNormEps());
        o.put("rope_theta", c.ropeTheta());
        RopeScaling r = c.ropeScaling();
        if (r == null) {
            o.putNull("rope_scaling");
        } else {
            ObjectNode ro = o.putObject("rope_scaling");
            ro.put("type", r.type());
            ro.put("rope_type", r.type());
            putIfSet(ro, "factor", r.factor());
            if (r.originalMaxPositionEmbeddings() != null) {
                ro.put("original_max_position_embeddings", r.originalMaxPositionEmbeddings());
            }
            putIfSet(ro, "beta_fast", r.betaFast());
            putIfSet(ro, "beta_slow", r.betaSlow());
            putIfSet(ro, "mscale", r.mscale());
            putIfSet(ro, "mscale_all_dim", r.mscaleAllDim());
            putIfSet(ro, "attention_factor", r.attentionFactor());
        }
        o.put("hidden_act", "silu");
        o.put("tie_word_embeddings", c.tieWordEmbeddings());
        if (!c.modelType().equals("qwen2")) {
            o.put("attention_bias", c.attentionBias());
        }
        if (c.modelType().equals("llama")) {
            o.put("mlp_bias", c.mlpBias());
        }
        putIfSet(o, "bos_token_id", c.bosTokenId());
        if (c.eosTokenId().size() == 1) {
            o.put("eos_token_id", c.eosTokenId().get(0));
        } else if (c.eosTokenId().size() > 1) {
            ArrayNode a = o.putArray("eos_token_id");
            c.eosTokenId().forEach(a::add);
        }
        putIfSet(o, "pad_token_id", c.padTokenId());
        if (c.torchDtype() != null) {
            o.put("torch_dtype", c.torchDtype());
        }
        ModelConfig.DeepSeekV3 d = c.deepseek();
        if (d != null) {
            o.put("n_routed_experts", d.nRoutedExperts());
            o.put("num_experts_per_tok", d.numExpertsPerTok());
            o.put("n_shared_experts", d.nSharedExperts());
            o.put("moe_intermediate_size", d.moeIntermediateSize());
            o.put("first_k_dense_replace", d.firstKDenseReplace());
            o.put("moe_layer_freq", d.moeLayerFreq());
            o.put("routed_scaling_factor", d.routedScalingFactor());
            o.put("norm_topk_prob", d.normTopkProb());
            o.put("n_group", d.nGroup());
            o.put("topk_group", d.topkGroup());
            o.put("scoring_func", d.scoringFunc());
            o.put("topk_method", d.topkMethod());
            if (d.qLoraRank() == null) {
                o.putNull("q_lora_rank");
            } else {
                o.put("q_lora_rank", d.qLoraRank());
            }
            o.put("kv_lora_rank", d.kvLoraRank());
            o.put("qk_nope_head_dim", d.qkNopeHeadDim());
            o.put("qk_rope_head_dim", d.qkRopeHeadDim());
            o.put("v_head_dim", d.vHeadDim());
            o.put("rope_interleave", d.ropeInterleave());
        }
        try {
            return MAPPER.writeValueAsString(o) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void putIfSet(ObjectNode o, String key, Double v) {
        if (v != null) {
            o.put(key, v);
        }
    }

    private static void putIfSet(ObjectNode o, String key, Integer v) {
        if (v != null) {
            o.put(key, v);
        }
    }
}

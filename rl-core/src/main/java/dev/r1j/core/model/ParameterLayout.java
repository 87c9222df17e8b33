package dev.r1j.core.model;

import java.util.LinkedHashMap;

/** The Hugging Face parameter names and shapes of each model type, in Hugging Face's state_dict order. */
final class ParameterLayout {
    private ParameterLayout() {}

    static LinkedHashMap<String, long[]> shapes(ModelConfig c) {
        LinkedHashMap<String, long[]> s = new LinkedHashMap<>();
        long hid = c.hiddenSize();
        s.put("model.embed_tokens.weight", new long[] {c.vocabSize(), hid});
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            String p = "model.layers." + i + ".";
            if (c.deepseek() == null) {
                gqa(c, s, p + "self_attn.");
            } else {
                mla(c, s, p + "self_attn.");
            }
            if (c.isMoeLayer(i)) {
                ModelConfig.DeepSeekV3 d = c.deepseek();
                for (int j = 0; j < d.nRoutedExperts(); j++) {
                    mlp(s, p + "mlp.experts." + j + ".", hid, d.moeIntermediateSize(), false);
                }
                s.put(p + "mlp.gate.weight", new long[] {d.nRoutedExperts(), hid});
                s.put(p + "mlp.gate.e_score_correction_bias", new long[] {d.nRoutedExperts()});
                if (d.nSharedExperts() > 0) {
                    mlp(s, p + "mlp.shared_experts.", hid, (long) d.moeIntermediateSize() * d.nSharedExperts(), false);
                }
            } else {
                mlp(s, p + "mlp.", hid, c.intermediateSize(), c.modelType().equals("llama") && c.mlpBias());
            }
            s.put(p + "input_layernorm.weight", new long[] {hid});
            s.put(p + "post_attention_layernorm.weight", new long[] {hid});
        }
        s.put("model.norm.weight", new long[] {hid});
        if (!c.tieWordEmbeddings()) {
            s.put("lm_head.weight", new long[] {c.vocabSize(), hid});
        }
        return s;
    }

    private static void gqa(ModelConfig c, LinkedHashMap<String, long[]> s, String p) {
        long hid = c.hiddenSize();
        long q = (long) c.numAttentionHeads() * c.headDim();
        long kv = (long) c.numKeyValueHeads() * c.headDim();
        linear(s, p + "q_proj", q, hid, c.qkvBias());
        linear(s, p + "k_proj", kv, hid, c.qkvBias());
        linear(s, p + "v_proj", kv, hid, c.qkvBias());
        linear(s, p + "o_proj", hid, q, c.oBias());
    }

    private static void mla(ModelConfig c, LinkedHashMap<String, long[]> s, String p) {
        ModelConfig.DeepSeekV3 d = c.deepseek();
        long hid = c.hiddenSize();
        long heads = c.numAttentionHeads();
        if (d.qLoraRank() == null) {
            linear(s, p + "q_proj", heads * d.qkHeadDim(), hid, false);
        } else {
            linear(s, p + "q_a_proj", d.qLoraRank(), hid, c.attentionBias());
            s.put(p + "q_a_layernorm.weight", new long[] {d.qLoraRank()});
            linear(s, p + "q_b_proj", heads * d.qkHeadDim(), d.qLoraRank(), false);
        }
        linear(s, p + "kv_a_proj_with_mqa", d.kvLoraRank() + d.qkRopeHeadDim(), hid, c.attentionBias());
        s.put(p + "kv_a_layernorm.weight", new long[] {d.kvLoraRank()});
        linear(s, p + "kv_b_proj", heads * (d.qkNopeHeadDim() + d.vHeadDim()), d.kvLoraRank(), false);
        linear(s, p + "o_proj", hid, heads * d.vHeadDim(), c.attentionBias());
    }

    private static void mlp(LinkedHashMap<String, long[]> s, String p, long hid, long inter, boolean bias) {
        linear(s, p + "gate_proj", inter, hid, bias);
        linear(s, p + "up_proj", inter, hid, bias);
        linear(s, p + "down_proj", hid, inter, bias);
    }

    private static void linear(LinkedHashMap<String, long[]> s, String name, long out, long in, boolean bias) {
        s.put(name + ".weight", new long[] {out, in});
        if (bias) {
            s.put(name + ".bias", new long[] {out});
        }
    }

    /** How {@link Transformer#create} initialises a tensor: norms 1, biases 0, everything else N(0, 0.02). */
    static Init initOf(String name) {
        if (name.endsWith("norm.weight")) {
            return Init.ONES;
        }
        if (name.endsWith(".bias") || name.endsWith("e_score_correction_bias")) {
            return Init.ZEROS;
        }
        return Init.NORMAL;
    }

    enum Init { ONES, ZEROS, NORMAL }
}

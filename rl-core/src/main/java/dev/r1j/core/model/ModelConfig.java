package dev.r1j.core.model;

import dev.r1j.options.Default;
import dev.r1j.options.Help;
import dev.r1j.options.Nullable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A decoder's architecture, mirroring the Hugging Face {@code config.json} of {@code model_type} {@code llama},
 * {@code qwen2} or {@code deepseek_v3}. JSON keys are Hugging Face's snake_case names; Java accessors are their
 * camelCase forms. Keys this model does not use (real configs carry many) are ignored; missing required keys and
 * inconsistent values are one {@link IllegalArgumentException} naming the source and the field.
 *
 * <pre>{@code
 * ModelConfig c = ModelConfig.read(Path.of("ckpt/config.json"));
 * ModelConfig toy = ModelConfig.tinyLlama(64);
 * toy.write(Path.of("out/config.json"));
 * }</pre>
 *
 * @param modelType "llama", "qwen2" or "deepseek_v3"
 * @param headDim per-head size of q/k/v (llama, qwen2); for deepseek_v3 Hugging Face sets it to qk_rope_head_dim
 * @param ropeScaling null, or the rope_scaling object ({@code default} or {@code yarn})
 * @param attentionBias bias on q/k/v/o (llama) or on q_a/kv_a/o (deepseek_v3); qwen2 always has q/k/v bias
 * @param eosTokenId one or more end-of-sequence ids (empty when absent)
 * @param deepseek the MoE and MLA fields; non-null exactly for deepseek_v3
 */
public record ModelConfig(
        String modelType,
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int numKeyValueHeads,
        int headDim,
        int maxPositionEmbeddings,
        double rmsNormEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        boolean tieWordEmbeddings,
        boolean attentionBias,
        boolean mlpBias,
        Integer bosTokenId,
        List<Integer> eosTokenId,
        Integer padTokenId,
        String torchDtype,
        DeepSeekV3 deepseek) {

    /** The model types this package implements. */
    public static final List<String> MODEL_TYPES = List.of("llama", "qwen2", "deepseek_v3");

    /**
     * DeepSeek-V3's mixture-of-experts and multi-head latent attention fields. The {@link Default}s are a toy
     * shape (the {@code pretrain} stage binds this record as its {@code deepseek} block); a checkpoint's
     * {@code config.json} gives every field.
     *
     * @param qLoraRank null for a plain q_proj, else the rank of q_a_proj/q_b_proj
     * @param moeLayerFreq every moe_layer_freq-th layer from first_k_dense_replace on is MoE
     * @param scoringFunc only "sigmoid"
     * @param topkMethod only "noaux_tc" (group-limited top-k with e_score_correction_bias)
     * @param ropeInterleave the checkpoint's rope dims are interleaved (Hugging Face permutes them first)
     */
    public record DeepSeekV3(
            @Help("routed experts per MoE layer") @Default("8") int nRoutedExperts,
            @Help("routed experts each token goes to (top-k)") @Default("2") int numExpertsPerTok,
            @Help("shared experts every token goes through") @Default("1") int nSharedExperts,
            @Help("SwiGLU width of each expert (moe width)") @Default("64") int moeIntermediateSize,
            @Help("the first layers keep a dense MLP (V3: 3)") @Default("1") int firstKDenseReplace,
            @Help("every moe_layer_freq-th layer from first_k_dense_replace on is MoE") @Default("1") int moeLayerFreq,
            @Help("gate weights of the chosen experts are scaled by this (V3: 2.5)") @Default("2.5")
                    double routedScalingFactor,
            @Help("normalise the chosen experts' gate weights to sum to 1") @Default("true") boolean normTopkProb,
            @Help("expert groups for group-limited routing (V3: 8)") @Default("4") int nGroup,
            @Help("groups a token's experts may come from (V3: 4)") @Default("2") int topkGroup,
            @Help("router score function (only sigmoid)") @Default("sigmoid") String scoringFunc,
            @Help("routing method (only noaux_tc: top-k with e_score_correction_bias)") @Default("noaux_tc")
                    String topkMethod,
            @Help("MLA query low-rank size; null: a plain q_proj") @Default("64") @Nullable Integer qLoraRank,
            @Help("MLA compressed key/value (latent) size") @Default("32") int kvLoraRank,
            @Help("MLA per-head query/key dims without rotary embedding") @Default("32") int qkNopeHeadDim,
            @Help("MLA per-head query/key dims with rotary embedding (even; shared by the heads' keys)") @Default("16")
                    int qkRopeHeadDim,
            @Help("MLA per-head value dims") @Default("32") int vHeadDim,
            @Help("the checkpoint's rope dims are interleaved (Hugging Face permutes them first)") @Default("true")
                    boolean ropeInterleave) {

        public DeepSeekV3 {
            positive("n_routed_experts", nRoutedExperts);
            positive("num_experts_per_tok", numExpertsPerTok);
            nonNegative("n_shared_experts", nSharedExperts);
            positive("moe_intermediate_size", moeIntermediateSize);
            nonNegative("first_k_dense_replace", firstKDenseReplace);
            positive("moe_layer_freq", moeLayerFreq);
            positive("n_group", nGroup);
            positive("topk_group", topkGroup);
            if (qLoraRank != null) {
                positive("q_lora_rank", qLoraRank);
            }
            positive("kv_lora_rank", kvLoraRank);
            positive("qk_nope_head_dim", qkNopeHeadDim);
            positive("qk_rope_head_dim", qkRopeHeadDim);
            positive("v_head_dim", vHeadDim);
            if (qkRopeHeadDim % 2 != 0) {
                throw new IllegalArgumentException("qk_rope_head_dim: expected an even number, found " + qkRopeHeadDim);
            }
            if (!"sigmoid".equals(scoringFunc)) {
                throw new IllegalArgumentException(
                        "scoring_func: expected \"sigmoid\" (the only one supported), found \"" + scoringFunc + "\"");
            }
            if (!"noaux_tc".equals(topkMethod)) {
                throw new IllegalArgumentException(
                        "topk_method: expected \"noaux_tc\" (the only one supported), found \"" + topkMethod + "\"");
            }
            if (nRoutedExperts % nGroup != 0) {
                throw new IllegalArgumentException("n_group: expected a divisor of n_routed_experts="
                        + nRoutedExperts + ", found " + nGroup);
            }
            if (nRoutedExperts / nGroup < 2) {
                throw new IllegalArgumentException("n_group: each group needs at least 2 experts (group score is the"
                        + " sum of its top 2), found " + nRoutedExperts + " experts in " + nGroup + " groups");
            }
            if (topkGroup > nGroup) {
                throw new IllegalArgumentException("topk_group: expected at most n_group=" + nGroup + ", found " + topkGroup);
            }
            if (numExpertsPerTok > topkGroup * (nRoutedExperts / nGroup)) {
                throw new IllegalArgumentException("num_experts_per_tok: expected at most topk_group * experts per group = "
                        + topkGroup * (nRoutedExperts / nGroup) + ", found " + numExpertsPerTok);
            }
        }

        /** Per-head q/k size: nope + rope dims. */
        public int qkHeadDim() {
            return qkNopeHeadDim + qkRopeHeadDim;
        }
    }

    public ModelConfig {
        if (modelType == null || !MODEL_TYPES.contains(modelType)) {
            throw new IllegalArgumentException("model_type: expected one of " + MODEL_TYPES + ", found "
                    + (modelType == null ? "nothing" : "\"" + modelType + "\""));
        }
        positive("vocab_size", vocabSize);
        positive("hidden_size", hiddenSize);
        positive("intermediate_size", intermediateSize);
        positive("num_hidden_layers", numHiddenLayers);
        positive("num_attention_heads", numAttentionHeads);
        positive("num_key_value_heads", numKeyValueHeads);
        positive("head_dim", headDim);
        positive("max_position_embeddings", maxPositionEmbeddings);
        if (!(rmsNormEps > 0)) {
            throw new IllegalArgumentException("rms_norm_eps: expected a positive number, found " + rmsNormEps);
        }
        if (!(ropeTheta > 0)) {
            throw new IllegalArgumentException("rope_theta: expected a positive number, found " + ropeTheta);
        }
        eosTokenId = eosTokenId == null ? List.of() : List.copyOf(eosTokenId);
        boolean isDeepSeek = modelType.equals("deepseek_v3");
        if (isDeepSeek != (deepseek != null)) {
            throw new IllegalArgumentException("model_type: the deepseek_v3 fields must be given exactly for deepseek_v3,"
                    + " found model_type \"" + modelType + "\" with" + (deepseek == null ? "out" : "") + " them");
        }
        if (!isDeepSeek) {
            if (hiddenSize % numAttentionHeads != 0) {
                throw new IllegalArgumentException("num_attention_heads: expected a divisor of hidden_size=" + hiddenSize
                        + ", found " + numAttentionHeads);
            }
            if (headDim % 2 != 0) {
                throw new IllegalArgumentException("head_dim: expected an even number (rotary pairs), found " + headDim);
            }
        } else {
            if (headDim != deepseek.qkRopeHeadDim()) {
                throw new IllegalArgumentException("head_dim: for deepseek_v3 expected qk_rope_head_dim="
                        + deepseek.qkRopeHeadDim() + ", found " + headDim);
            }
            if (deepseek.firstKDenseReplace() > numHiddenLayers) {
                throw new IllegalArgumentException("first_k_dense_replace: expected at most num_hidden_layers="
                        + numHiddenLayers + ", found " + deepseek.firstKDenseReplace());
            }
        }
        if (numAttentionHeads % numKeyValueHeads != 0) {
            throw new IllegalArgumentException("num_key_value_heads: expected a divisor of num_attention_heads="
                    + numAttentionHeads + ", found " + numKeyValueHeads);
        }
        if (ropeScaling != null && ropeScaling.type().equals("default")) {
            ropeScaling = null;
        }
    }

    static void positive(String field, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(field + ": expected a positive integer, found " + value);
        }
    }

    static void nonNegative(String field, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(field + ": expected a non-negative integer, found " + value);
        }
    }

    // ---- derived values -------------------------------------------------------------------------------------

    /** The Hugging Face class name written to "architectures". */
    public String architecture() {
        return switch (modelType) {
            case "llama" -> "LlamaForCausalLM";
            case "qwen2" -> "Qwen2ForCausalLM";
            default -> "DeepseekV3ForCausalLM";
        };
    }

    /** Whether q/k/v projections carry a bias (always for qwen2; by attention_bias for llama). */
    public boolean qkvBias() {
        return modelType.equals("qwen2") || (modelType.equals("llama") && attentionBias);
    }

    /** Whether o_proj carries a bias (llama and deepseek_v3 by attention_bias; never for qwen2). */
    public boolean oBias() {
        return !modelType.equals("qwen2") && attentionBias;
    }

    /** Number of rotary dims per head: head_dim, or qk_rope_head_dim for deepseek_v3. */
    public int ropeDim() {
        return deepseek == null ? headDim : deepseek.qkRopeHeadDim();
    }

    /** Whether decoder layer {@code layer} uses the mixture of experts rather than the dense MLP. */
    public boolean isMoeLayer(int layer) {
        return deepseek != null
                && layer >= deepseek.firstKDenseReplace()
                && layer % deepseek.moeLayerFreq() == 0;
    }

    // ---- factories for tests and toys ------------------------------------------------------------------------

    /** A llama config with the given sizes, rope_theta 10000, rms_norm_eps 1e-6, untied embeddings. */
    public static ModelConfig llama(int vocab, int hidden, int intermediate, int layers, int heads, int kvHeads,
            int maxPositions) {
        return new ModelConfig("llama", vocab, hidden, intermediate, layers, heads, kvHeads, hidden / heads,
                maxPositions, 1e-6, 10000.0, null, false, false, false, null, List.of(), null, "float32", null);
    }

    /** A tiny llama (hidden 32, 2 layers, 4 heads, 2 kv heads) for tests and toys. */
    public static ModelConfig tinyLlama(int vocab) {
        return llama(vocab, 32, 64, 2, 4, 2, 128);
    }

    /** A tiny qwen2 (q/k/v bias, tied embeddings) for tests and toys. */
    public static ModelConfig tinyQwen2(int vocab) {
        return new ModelConfig("qwen2", vocab, 32, 48, 2, 4, 1, 8, 128, 1e-6, 1000000.0, null, true, false, false,
                null, List.of(), null, "float32", null);
    }

    /**
     * A tiny deepseek_v3: 3 layers (the first dense), 8 routed experts in 4 groups, 2 chosen from the best 2
     * groups, one shared expert; MLA with the given q_lora_rank (null for a plain q_proj).
     */
    public static ModelConfig tinyDeepSeekV3(int vocab, Integer qLoraRank) {
        DeepSeekV3 ds = new DeepSeekV3(8, 2, 1, 16, 1, 1, 2.5, true, 4, 2, "sigmoid", "noaux_tc", qLoraRank, 16, 8, 4,
                8, true);
        return new ModelConfig("deepseek_v3", vocab, 32, 64, 3, 4, 4, 4, 128, 1e-6, 10000.0, null, false, false,
                false, null, List.of(), null, "float32", ds);
    }

    /** This config with another rope_scaling. */
    public ModelConfig withRopeScaling(RopeScaling scaling) {
        return new ModelConfig(modelType, vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads,
                numKeyValueHeads, headDim, maxPositionEmbeddings, rmsNormEps, ropeTheta, scaling, tieWordEmbeddings,
                attentionBias, mlpBias, bosTokenId, eosTokenId, padTokenId, torchDtype, deepseek);
    }

    /** This config with tied (or untied) input and output embeddings. */
    public ModelConfig withTieWordEmbeddings(boolean tie) {
        return new ModelConfig(modelType, vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads,
                numKeyValueHeads, headDim, maxPositionEmbeddings, rmsNormEps, ropeTheta, ropeScaling, tie,
                attentionBias, mlpBias, bosTokenId, eosTokenId, padTokenId, torchDtype, deepseek);
    }

    /** This config with the given special token ids ({@code eos} may hold several). */
    public ModelConfig withSpecialTokens(Integer bos, List<Integer> eos, Integer pad) {
        return new ModelConfig(modelType, vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads,
                numKeyValueHeads, headDim, maxPositionEmbeddings, rmsNormEps, ropeTheta, ropeScaling,
                tieWordEmbeddings, attentionBias, mlpBias, bos, eos, pad, torchDtype, deepseek);
    }

    // ---- JSON ------------------------------------------------------------------------------------------------

    /** Reads a Hugging Face config.json; errors name the file and the field. */
    public static ModelConfig read(Path configJson) {
        String text;
        try {
            text = Files.readString(configJson);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model config " + configJson + ": " + e.getMessage(), e);
        }
        return parse(text, configJson.toString());
    }

    /** Parses config.json text; {@code sourceName} appears in error messages. */
    public static ModelConfig parse(String json, String sourceName) {
        return ModelConfigJson.parse(json, sourceName);
    }

    /** Hugging Face config.json text (pretty-printed), including "architectures" and "model_type". */
    public String toJson() {
        return ModelConfigJson.toJson(this);
    }

    /** Writes {@link #toJson()} to {@code path}. */
    public void write(Path path) {
        try {
            Files.writeString(path, toJson());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write model config " + path + ": " + e.getMessage(), e);
        }
    }
}

package dev.r1j.core.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.r1j.core.model.CausalLM;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.model.Transformer;
import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.core.tokenizer.HfTokenizer;
import dev.r1j.core.tokenizer.Tokenizer;
import dev.r1j.core.tokenizer.Tokenizers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A model checkpoint in the Hugging Face layout, so that it moves between R1J and {@code transformers} both ways:
 * {@code config.json}, {@code model.safetensors} (or shards with {@code model.safetensors.index.json}),
 * {@code tokenizer.json}, {@code tokenizer_config.json} and {@code generation_config.json}, with Hugging Face
 * parameter names and the same special token ids in all of them.
 *
 * <pre>{@code
 * Checkpoint.save(Path.of("runs/x/final"), model, tokenizer);      // atomic: old or new, never half
 * try (LoadedModel m = Checkpoint.load(Path.of("runs/x/final"), manager)) { ... }
 * }</pre>
 *
 * <p>Loading checks everything it can before reading tensor data: the three parts are present, the config parses,
 * every tensor the config implies is there with the right shape, and nothing unexpected is. Each problem is one
 * {@link CheckpointFormatException} naming the file and the tensor.
 */
public final class Checkpoint {
    public static final String CONFIG_FILE = "config.json";

    /** Tensors {@code transformers} itself skips when loading: precomputed rotary tables of old llama exports. */
    private static final Pattern IGNORED = Pattern.compile(".*\\.rotary_emb\\.inv_freq");
    private static final Pattern LAYER = Pattern.compile("model\\.layers\\.(\\d+)\\..*");

    private Checkpoint() {}

    /** Saves as float32, sharded above Hugging Face's default 5 GB, with no sampling defaults (greedy). */
    public static void save(Path dir, CausalLM model, Tokenizer tokenizer) {
        save(dir, model, tokenizer, DType.F32, Weights.DEFAULT_MAX_SHARD_BYTES);
    }

    /**
     * Saves as float32 with {@code sampling}'s temperature, top-p, top-k and max new tokens as the defaults in
     * {@code generation_config.json} (the settings the model was trained to be sampled with).
     */
    public static void save(Path dir, CausalLM model, Tokenizer tokenizer, SamplingParams sampling) {
        AtomicDirectory.write(dir, tmp -> writeFiles(tmp, model, tokenizer, DType.F32,
                Weights.DEFAULT_MAX_SHARD_BYTES, sampling));
    }

    /**
     * Writes the checkpoint into {@code dir} atomically (a temporary sibling, then renamed over any previous one).
     * Special token ids absent from the model's config are filled in from the tokenizer, as
     * {@code transformers} expects them in {@code config.json}.
     *
     * @param floatType F32, BF16 or F16 for the weights
     * @param maxShardBytes above this many bytes the weights are split into shards
     */
    public static void save(Path dir, CausalLM model, Tokenizer tokenizer, DType floatType, long maxShardBytes) {
        AtomicDirectory.write(dir, tmp -> writeFiles(tmp, model, tokenizer, floatType, maxShardBytes));
    }

    /**
     * Writes the checkpoint's files into the existing directory {@code dir}, not atomically: for callers that add
     * files of their own (training state) inside one {@link AtomicDirectory#write}.
     */
    public static void writeFiles(Path dir, CausalLM model, Tokenizer tokenizer, DType floatType,
            long maxShardBytes) {
        writeFiles(dir, model, tokenizer, floatType, maxShardBytes, null);
    }

    private static void writeFiles(Path dir, CausalLM model, Tokenizer tokenizer, DType floatType,
            long maxShardBytes, SamplingParams sampling) {
        ModelConfig config = model.config();
        if (tokenizer.vocabSize() > config.vocabSize()) {
            throw new IllegalArgumentException("tokenizer has " + tokenizer.vocabSize() + " tokens but the model's "
                    + "vocab_size is " + config.vocabSize() + ": ids would fall outside the embedding");
        }
        ModelConfig withIds = config.withSpecialTokens(
                config.bosTokenId() != null ? config.bosTokenId() : idOrNull(tokenizer.bosId()),
                !config.eosTokenId().isEmpty() ? config.eosTokenId()
                        : tokenizer.eosId() >= 0 ? List.of(tokenizer.eosId()) : List.of(),
                config.padTokenId() != null ? config.padTokenId() : idOrNull(tokenizer.padId()));
        withIds.write(dir.resolve(CONFIG_FILE));
        new GenerationConfig(withIds.bosTokenId(), withIds.eosTokenId(), withIds.padTokenId(), sampling)
                .write(dir.resolve(GenerationConfig.FILE));
        Weights.write(dir, model.parameters(), floatType, maxShardBytes);
        tokenizer.save(dir);
    }

    /**
     * Loads the model (float32 weights in a sub-manager of {@code manager}, freed by closing the result) and its
     * tokenizer. A LoRA adapter directory in PEFT's layout is read as its base model with the adapter merged in
     * ({@link AdapterCheckpoint}).
     *
     * @throws CheckpointFormatException for a missing part, a tensor missing, unexpected or of the wrong shape, or
     *     a weight file that is not safetensors, naming the file and the tensor
     * @throws IllegalArgumentException from {@link ModelConfig} or the tokenizer for a bad {@code config.json}
     *     or tokenizer file, naming the file and the field
     */
    public static LoadedModel load(Path dir, NDManager manager) {
        if (!Files.isDirectory(dir)) {
            throw new CheckpointFormatException(dir + ": checkpoint directory does not exist");
        }
        if (AdapterCheckpoint.isAdapterDirectory(dir)) {
            return AdapterCheckpoint.load(dir, manager); // a PEFT adapter: its base with the adapter merged in
        }
        List<String> missing = new ArrayList<>();
        if (!Files.isRegularFile(dir.resolve(CONFIG_FILE))) {
            missing.add(CONFIG_FILE);
        }
        if (!Weights.exists(dir)) {
            missing.add(Weights.SINGLE_FILE + " (or " + Weights.INDEX_FILE + ")");
        }
        if (!Files.isRegularFile(dir.resolve(HfTokenizer.FILE))) {
            missing.add(HfTokenizer.FILE);
        }
        if (!missing.isEmpty()) {
            throw new CheckpointFormatException(dir + ": incomplete checkpoint: missing " + String.join(", ", missing));
        }
        ModelConfig config = ModelConfig.read(dir.resolve(CONFIG_FILE));
        Map<String, long[]> expected = Transformer.expectedShapes(config);
        Map<String, Weights.Located> found = Weights.describe(dir);
        check(dir, config, expected, found);

        Tokenizer tokenizer = Tokenizers.load(dir);
        if (tokenizer.vocabSize() > config.vocabSize()) {
            throw new CheckpointFormatException(dir.resolve(HfTokenizer.FILE) + ": " + tokenizer.vocabSize()
                    + " tokens, more than vocab_size " + config.vocabSize() + " in " + CONFIG_FILE);
        }
        try (NDManager reading = manager.newSubManager()) {
            Map<String, NDArray> tensors = Weights.read(dir, reading, expected.keySet());
            // fromParameters re-attaches the arrays to the model's own manager; anything left is freed here.
            return new LoadedModel(Transformer.fromParameters(config, manager, tensors), tokenizer);
        }
    }

    private static void check(Path dir, ModelConfig config, Map<String, long[]> expected,
            Map<String, Weights.Located> found) {
        for (Map.Entry<String, Weights.Located> e : found.entrySet()) {
            String name = e.getKey();
            Path file = e.getValue().file();
            long[] want = expected.get(name);
            if (want == null) {
                if (ignorable(name, config)) {
                    continue;
                }
                throw new CheckpointFormatException(file + ": tensor '" + name + "' is not a parameter of a "
                        + config.modelType() + " model with " + dir.resolve(CONFIG_FILE)
                        + " (wrong config, or a different architecture)");
            }
            SafeTensors.TensorInfo info = e.getValue().info();
            if (!Arrays.equals(want, info.shape())) {
                throw new CheckpointFormatException(file + ": tensor '" + name + "' has shape "
                        + Arrays.toString(info.shape()) + " but " + dir.resolve(CONFIG_FILE) + " implies "
                        + Arrays.toString(want));
            }
            if (!info.dtype().isFloating()) {
                throw new CheckpointFormatException(file + ": tensor '" + name + "' has dtype " + info.dtype()
                        + "; weights must be F32, F16, BF16 or F64");
            }
        }
        Map<String, long[]> absent = new LinkedHashMap<>(expected);
        absent.keySet().removeAll(found.keySet());
        if (!absent.isEmpty()) {
            String first = absent.keySet().iterator().next();
            throw new CheckpointFormatException(dir + ": weights lack tensor '" + first + "' (shape "
                    + Arrays.toString(absent.get(first)) + ")" + (absent.size() > 1 ? " and " + (absent.size() - 1)
                    + " more" : "") + " that " + CONFIG_FILE + " implies");
        }
    }

    /**
     * Tensors {@code transformers} skips on load too: rotary caches, a tied model's duplicate {@code lm_head},
     * and DeepSeek-V3's multi-token-prediction layers stored after the last decoder layer.
     */
    private static boolean ignorable(String name, ModelConfig config) {
        if (IGNORED.matcher(name).matches()) {
            return true;
        }
        if (name.equals("lm_head.weight") && config.tieWordEmbeddings()) {
            return true;
        }
        Matcher m = LAYER.matcher(name);
        return config.deepseek() != null && m.matches() && Integer.parseInt(m.group(1)) >= config.numHiddenLayers();
    }

    private static Integer idOrNull(int id) {
        return id >= 0 ? id : null;
    }
}

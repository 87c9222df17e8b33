package dev.r1j.core.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face {@code tokenizer.json} run by the Rust {@code tokenizers} library through DJL, loaded from a local
 * file only. {@link #encode} adds no special tokens; {@link #decode} drops them. Special tokens and the chat
 * template come from {@code tokenizer_config.json} beside it.
 *
 * <pre>{@code
 * Tokenizer tok = HfTokenizer.load(Path.of("models/qwen2.5-0.5b"));
 * int[] ids = tok.encode("Hello");
 * }</pre>
 */
public final class HfTokenizer implements Tokenizer {
    public static final String FILE = "tokenizer.json";

    static {
        // As dev.r1j.core.Djl does for the engine: the tokenizers library must never try to download anything.
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
    }

    private final HuggingFaceTokenizer tokenizer;
    private final String tokenizerJson;
    private final TokenizerConfig config;
    private final Path source;
    private final int vocabSize;
    private final int bosId;
    private final int eosId;
    private final int padId;
    private final ChatTemplate template;

    private HfTokenizer(HuggingFaceTokenizer tokenizer, String tokenizerJson, TokenizerConfig config, Path source) {
        this.tokenizer = tokenizer;
        this.tokenizerJson = tokenizerJson;
        this.config = config;
        this.source = source;
        Map<String, Integer> ids = tokenIds(tokenizerJson, source.resolve(FILE));
        this.vocabSize = ids.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        Path configFile = source.resolve(TokenizerConfig.FILE);
        this.bosId = specialId(ids, config.bosToken(), "bos_token", configFile);
        this.eosId = specialId(ids, config.eosToken(), "eos_token", configFile);
        this.padId = specialId(ids, config.padToken(), "pad_token", configFile);
        this.template = config.chatTemplate() == null ? null : new ChatTemplate(config.chatTemplate());
    }

    /** Loads {@code dir/tokenizer.json} and, when present, {@code dir/tokenizer_config.json}. */
    public static HfTokenizer load(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(dir + ": missing " + FILE);
        }
        try {
            String json = Files.readString(file);
            Map<String, String> options = Map.of("addSpecialTokens", "false", "truncation", "false",
                    "padding", "false");
            HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(file, options);
            return new HfTokenizer(tok, json, TokenizerConfig.read(dir), dir);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            if (e instanceof IllegalArgumentException) {
                throw e;
            }
            throw new IllegalArgumentException(file + ": not a tokenizer the tokenizers library can load: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public int[] encode(String text) {
        long[] ids = tokenizer.encode(text, false, false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = (int) ids[i];
        }
        return out;
    }

    @Override
    public String decode(int[] ids) {
        long[] kept = java.util.Arrays.stream(ids)
                .filter(id -> id != bosId && id != eosId && id != padId)
                .asLongStream().toArray();
        return tokenizer.decode(kept, true);
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public int bosId() {
        return bosId;
    }

    @Override
    public int eosId() {
        return eosId;
    }

    @Override
    public int padId() {
        return padId;
    }

    /** The special tokens and template this tokenizer was loaded with. */
    public TokenizerConfig config() {
        return config;
    }

    @Override
    public String applyChatTemplate(List<Map<String, String>> messages, boolean addGenerationPrompt) {
        if (template == null) {
            throw new IllegalStateException(source.resolve(TokenizerConfig.FILE) + ": no chat_template");
        }
        return template.render(messages, addGenerationPrompt, config.templateVariables());
    }

    @Override
    public void save(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(FILE), tokenizerJson);
            Files.writeString(dir.resolve(TokenizerConfig.FILE), config.toJson());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save tokenizer to " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Token string to id over the model's vocabulary and the added tokens. */
    static Map<String, Integer> tokenIds(String tokenizerJson, Path file) {
        JsonNode root;
        try {
            root = TokenizerConfig.JSON.readTree(tokenizerJson);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not valid JSON: " + e.getOriginalMessage());
        }
        Map<String, Integer> ids = new HashMap<>();
        JsonNode vocab = root.path("model").path("vocab");
        if (vocab.isObject()) {
            vocab.fields().forEachRemaining(e -> ids.put(e.getKey(), e.getValue().asInt()));
        } else if (vocab.isArray()) {
            // Unigram: [[piece, score], ...], ids are positions.
            for (int i = 0; i < vocab.size(); i++) {
                ids.put(vocab.get(i).path(0).asText(), i);
            }
        }
        for (JsonNode t : root.path("added_tokens")) {
            ids.put(t.path("content").asText(), t.path("id").asInt());
        }
        return ids;
    }

    private static int specialId(Map<String, Integer> ids, String token, String field, Path configFile) {
        if (token == null) {
            return -1;
        }
        Integer id = ids.get(token);
        if (id == null) {
            throw new IllegalArgumentException(configFile + ": " + field + " '" + token
                    + "' is not a token of tokenizer.json");
        }
        return id;
    }
}

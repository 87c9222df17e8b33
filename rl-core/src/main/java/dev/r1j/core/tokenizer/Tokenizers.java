package dev.r1j.core.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads the tokenizer of a model directory, choosing the implementation from its files: a {@code tokenizer.json}
 * written by {@link CharTokenizer} gives a {@link CharTokenizer} (pure Java), any other {@code tokenizer.json} an
 * {@link HfTokenizer}.
 *
 * <pre>{@code
 * Tokenizer tok = Tokenizers.load(Path.of("runs/r1-zero/checkpoint"));
 * }</pre>
 */
public final class Tokenizers {
    private Tokenizers() {}

    /** The tokenizer saved in {@code dir}; a missing or unreadable {@code tokenizer.json} is an error naming it. */
    public static Tokenizer load(Path dir) {
        Path file = dir.resolve(HfTokenizer.FILE);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(dir + ": missing " + HfTokenizer.FILE);
        }
        JsonNode root;
        try {
            root = TokenizerConfig.JSON.readTree(Files.readString(file));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject() || !root.has("model")) {
            throw new IllegalArgumentException(file + ": not a tokenizer.json (no 'model' object)");
        }
        TokenizerConfig config = TokenizerConfig.read(dir);
        CharTokenizer chars = CharTokenizer.fromTokenizerJson(root, config);
        return chars != null ? chars : HfTokenizer.load(dir);
    }
}

package dev.r1j.core.tokenizer;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Text to token ids and back, with the special tokens and chat template of the model.
 *
 * <pre>{@code
 * Tokenizer tok = Tokenizers.load(Path.of("runs/base"));
 * int[] ids = tok.encode("12+7=");
 * String text = tok.decode(ids);
 * }</pre>
 */
public interface Tokenizer {
    /** Encodes text without adding BOS/EOS. */
    int[] encode(String text);

    /** Decodes ids; special tokens (BOS, EOS, pad) are skipped. */
    String decode(int[] ids);

    int vocabSize();

    /** -1 when the tokenizer has none. */
    int bosId();

    /** -1 when the tokenizer has none. */
    int eosId();

    /** -1 when the tokenizer has none (callers then pad with EOS). */
    int padId();

    /**
     * Renders chat {@code messages} (each with {@code role} and {@code content}) with the model's chat template.
     */
    String applyChatTemplate(List<Map<String, String>> messages, boolean addGenerationPrompt);

    /** Writes {@code tokenizer.json} and {@code tokenizer_config.json} into {@code dir}. */
    void save(Path dir);
}

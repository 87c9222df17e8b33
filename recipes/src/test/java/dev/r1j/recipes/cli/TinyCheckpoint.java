package dev.r1j.recipes.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.r1j.core.Djl;
import dev.r1j.core.io.Checkpoint;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.model.Transformer;
import dev.r1j.core.tokenizer.CharTokenizer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A small real checkpoint for the command tests: a tiny llama over a character tokenizer with a chat template.
 * The linear weights are scaled up from the N(0, 0.02) init so that next-token distributions are peaked (logit
 * spread of a few units): an off-by-one position or a wrong row then changes the numbers visibly.
 */
final class TinyCheckpoint {
    static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789+=: \n";
    static final String TEMPLATE = "{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}"
            + "{% if add_generation_prompt %}{{ 'assistant: ' }}{% endif %}";

    private TinyCheckpoint() {}

    static CharTokenizer tokenizer() {
        return new CharTokenizer(ALPHABET, TEMPLATE);
    }

    /** Writes the checkpoint into {@code dir} and returns it. */
    static Path write(Path dir, long seed) {
        return write(dir, seed, tokenizer());
    }

    /** The same model with another tokenizer over {@link #ALPHABET} (e.g. one without a chat template). */
    static Path write(Path dir, long seed, CharTokenizer tok) {
        System.setProperty("r1j.fsync", "false"); // throwaway checkpoint: atomic rename is enough
        ModelConfig config = ModelConfig.tinyLlama(tok.vocabSize());
        try (NDManager m = Djl.newManager(); Transformer init = Transformer.create(config, m, seed)) {
            Map<String, NDArray> scaled = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : init.parameters().entrySet()) {
                scaled.put(e.getKey(), e.getKey().endsWith("norm.weight") ? e.getValue().duplicate() : e.getValue().mul(25));
            }
            try (Transformer model = Transformer.fromParameters(config, m, scaled)) {
                Checkpoint.save(dir, model, tok);
            }
        }
        return dir;
    }
}

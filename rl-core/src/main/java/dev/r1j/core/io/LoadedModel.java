package dev.r1j.core.io;

import dev.r1j.core.model.CausalLM;
import dev.r1j.core.tokenizer.Tokenizer;

/**
 * A model and its tokenizer as read from a checkpoint directory; closing it frees the model's weights.
 *
 * <pre>{@code
 * try (LoadedModel m = Checkpoint.load(dir, manager)) {
 *     NDArray logits = m.model().forward(ids, mask, null);
 * }
 * }</pre>
 */
public record LoadedModel(CausalLM model, Tokenizer tokenizer) implements AutoCloseable {
    @Override
    public void close() {
        model.close();
    }
}

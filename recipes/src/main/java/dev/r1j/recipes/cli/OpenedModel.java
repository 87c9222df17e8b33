package dev.r1j.recipes.cli;

import ai.djl.ndarray.NDManager;
import dev.r1j.core.Djl;
import dev.r1j.core.io.Checkpoint;
import dev.r1j.core.io.LoadedModel;
import dev.r1j.core.model.CausalLM;
import dev.r1j.core.tokenizer.Tokenizer;
import dev.r1j.recipes.ModelSpec;
import java.nio.file.Path;

/**
 * A checkpoint opened by a command ({@code logprobs}, {@code generate}, {@code serve}) with its own native memory,
 * all freed by {@link #close()}. {@code --model} takes what a recipe's {@code model.init} takes: a directory, or a
 * bare name under the models directory ({@code runs/models/NAME}, or {@code $R1J_MODELS/NAME}); {@code eval}, which
 * loads the model itself, resolves it with {@link #dir(String)} alone.
 *
 * <pre>{@code
 * try (OpenedModel m = OpenedModel.open("runs/r1-zero/final")) {
 *     NDArray logits = m.model().forward(ids, mask, null);
 * }
 * }</pre>
 */
final class OpenedModel implements AutoCloseable {
    private final Path dir;
    private final NDManager manager;
    private final LoadedModel loaded;

    private OpenedModel(Path dir, NDManager manager, LoadedModel loaded) {
        this.dir = dir;
        this.manager = manager;
        this.loaded = loaded;
    }

    /** Loads the checkpoint {@code spec} designates; a missing or malformed one is an error naming the file. */
    static OpenedModel open(String spec) {
        return open(spec, ai.djl.Device.cpu());
    }

    /** {@link #open(String)} with the model on {@code device}. */
    static OpenedModel open(String spec, ai.djl.Device device) {
        Path dir = dir(spec);
        NDManager manager = Djl.newManager(device);
        try {
            return new OpenedModel(dir, manager, Checkpoint.load(dir, manager));
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** The directory {@code spec} designates, as a recipe's {@code model.init} (it need not exist). */
    static Path dir(String spec) {
        return new ModelSpec(spec).path()
                .orElseThrow(() -> new CliException("--model must name a checkpoint directory, got '" + spec + "'"));
    }

    Path dir() {
        return dir;
    }

    CausalLM model() {
        return loaded.model();
    }

    Tokenizer tokenizer() {
        return loaded.tokenizer();
    }

    /** The name a server lists the model under: the directory's last component. */
    String name() {
        Path name = dir.toAbsolutePath().normalize().getFileName();
        return name == null ? "model" : name.toString();
    }

    @Override
    public void close() {
        try {
            loaded.close();
        } finally {
            manager.close();
        }
    }
}

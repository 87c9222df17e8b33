package dev.r1j.recipes;

import dev.r1j.options.Default;
import dev.r1j.options.Help;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The recipe's {@code model:} section: where the first stage's model comes from.
 *
 * <pre>{@code
 * new ModelSpec("runs/base").path();          // Optional[runs/base]
 * new ModelSpec("toy-arithmetic").path();     // Optional[runs/models/toy-arithmetic] (or $R1J_MODELS/toy-arithmetic)
 * }</pre>
 */
public record ModelSpec(
        @Help("a checkpoint directory, or a bare model name that resolves to runs/models/NAME ($R1J_MODELS/NAME), "
                + "which a pretrain stage builds when it is missing; null: the first stage makes the model")
        @Default("null") String init) {

    /**
     * The model directory {@code init} designates (it need not exist yet): a path when it contains a separator,
     * starts with '.' or '~', or names an existing directory; otherwise a name under the models directory.
     */
    public Optional<Path> path() {
        if (init == null || init.isBlank()) {
            return Optional.empty();
        }
        if (init.startsWith("~/")) {
            return Optional.of(Path.of(System.getProperty("user.home"), init.substring(2)));
        }
        if (init.contains("/") || init.contains("\\") || init.startsWith(".") || java.nio.file.Files.isDirectory(Path.of(init))) {
            return Optional.of(Path.of(init));
        }
        return Optional.of(modelsDir().resolve(init));
    }

    /** Where bare model names live: {@code $R1J_MODELS}, else {@code runs/models} under the working directory. */
    public static Path modelsDir() {
        String env = System.getenv("R1J_MODELS");
        return env == null || env.isBlank() ? Path.of("runs", "models") : Path.of(env);
    }
}

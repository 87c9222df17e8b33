package dev.r1j.recipes.stages;

import dev.r1j.core.io.AdapterCheckpoint;
import dev.r1j.core.io.Checkpoint;
import dev.r1j.recipes.stage.StageContext;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The model a stage starts from: its own {@code model} option when given (any checkpoint directory, e.g. another
 * run's {@code stages/03-grpo/final}; {@code ${run_dir}} allowed), else the previous stage's output
 * ({@link InputModel#require}).
 *
 * <pre>{@code
 * Path start = StartModel.resolve(options.model(), ctx);
 * }</pre>
 */
public final class StartModel {
    private StartModel() {}

    public static Path resolve(String model, StageContext ctx) {
        if (model == null) return InputModel.require(ctx);
        Path dir = RunPaths.resolve(model, ctx);
        if (!Files.isRegularFile(dir.resolve(Checkpoint.CONFIG_FILE)) && !AdapterCheckpoint.isAdapterDirectory(dir)) {
            throw new IllegalArgumentException("model: " + dir + " is not a checkpoint directory (no "
                    + Checkpoint.CONFIG_FILE + ")");
        }
        return dir;
    }
}

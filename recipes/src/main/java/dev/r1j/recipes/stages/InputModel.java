package dev.r1j.recipes.stages;

import dev.r1j.core.io.AdapterCheckpoint;
import dev.r1j.core.io.Checkpoint;
import dev.r1j.recipes.stage.StageContext;
import java.nio.file.Files;
import java.nio.file.Path;

/** The model directory a stage starts from, checked before anything heavy is loaded. */
public final class InputModel {
    private InputModel() {}

    /**
     * {@link StageContext#inputModel()}, which must be a checkpoint directory (with {@code config.json}) or a LoRA adapter directory read on top of its base; otherwise
     * an error that says how to give one.
     */
    public static Path require(StageContext ctx) {
        Path dir = ctx.inputModel().orElseThrow(() -> new IllegalArgumentException(
                "no input model: set model.init (a checkpoint directory) or put a pretrain stage first"));
        if (!Files.isRegularFile(dir.resolve(Checkpoint.CONFIG_FILE)) && !AdapterCheckpoint.isAdapterDirectory(dir)) {
            throw new IllegalArgumentException("input model " + dir + " is not a checkpoint directory (no "
                    + Checkpoint.CONFIG_FILE + "); set model.init or put a pretrain stage first");
        }
        return dir;
    }
}

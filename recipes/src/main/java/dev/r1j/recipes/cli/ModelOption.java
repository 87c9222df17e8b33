package dev.r1j.recipes.cli;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The {@code --model DIR} and {@code --device} options of the commands that load a checkpoint, as a picocli mixin:
 * {@code @Mixin ModelOption model;} then {@code try (OpenedModel m = model.open()) { ... }}.
 */
final class ModelOption {
    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "A checkpoint directory (or a bare model name under runs/models, or $R1J_MODELS).")
    String model;

    @Mixin
    DeviceFlag device;

    /** Loads the checkpoint (see {@link OpenedModel#open}). */
    OpenedModel open() {
        return OpenedModel.open(model, device.resolve());
    }
}

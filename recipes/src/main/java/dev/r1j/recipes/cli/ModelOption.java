package dev.r1j.recipes.cli;

import ai.djl.Device;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The {@code --model DIR} and {@code --device} options of the commands that load a checkpoint, as a picocli mixin:
 * {@code @Mixin ModelOption model;} then {@code try (OpenedModel m = model.open()) { ... }}, or
 * {@code model.dir()} and {@code model.device()} for a command that loads it another way ({@code eval}).
 */
final class ModelOption {
    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "A checkpoint directory (or a bare model name under runs/models, or $R1J_MODELS).")
    String model;

    @Mixin
    DeviceFlag device;

    /** Loads the checkpoint (see {@link OpenedModel#open}). */
    OpenedModel open() {
        return OpenedModel.open(model, device());
    }

    /** The checkpoint directory {@code --model} designates (see {@link OpenedModel#dir(String)}); it need not exist. */
    Path dir() {
        return OpenedModel.dir(model);
    }

    /** The {@code --device} (a usage error naming the flag when it is malformed or not there). */
    Device device() {
        return device.resolve();
    }
}

package dev.r1j.recipes.cli;

import ai.djl.Device;
import dev.r1j.core.Devices;
import picocli.CommandLine.Option;

/**
 * The {@code --device} option of the commands that run a model, as a picocli mixin (in {@link ModelOption}).
 * Resolved before anything is loaded, so a GPU that is not there is one line at once.
 */
final class DeviceFlag {
    @Option(names = "--device", paramLabel = "DEVICE",
            description = "auto (the first CUDA GPU PyTorch sees, else the CPU), cpu, cuda or cuda:N (default: ${DEFAULT-VALUE}).")
    String device = "auto";

    /** The DJL device; a usage error naming the flag for a malformed value or a GPU PyTorch does not see. */
    Device resolve() {
        try {
            return Devices.resolve(device);
        } catch (IllegalArgumentException e) {
            throw new CliException("--" + e.getMessage());
        }
    }
}

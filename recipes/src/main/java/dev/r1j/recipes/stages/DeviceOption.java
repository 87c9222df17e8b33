package dev.r1j.recipes.stages;

import ai.djl.Device;
import dev.r1j.core.Devices;
import dev.r1j.options.Default;
import dev.r1j.options.Help;

/**
 * The {@code device} key of every stage (bound {@code @Inline}, so it is declared once here and written flat:
 * {@code grpo: {device: cuda:1}}). A GPU that PyTorch does not see is refused when the recipe is read, before any
 * stage runs, in one line.
 *
 * <pre>{@code
 * try (NDManager m = Djl.newManager(options.placement().resolve())) { ... }
 * }</pre>
 */
public record DeviceOption(
        @Help("where the model runs: auto (the first CUDA GPU PyTorch sees, else the CPU) | cpu | cuda | cuda:N")
                @Default("auto") String device) {

    public DeviceOption {
        String s = device == null ? "" : device.trim().toLowerCase(java.util.Locale.ROOT);
        if (!s.matches("auto|cpu|cuda|cuda:\\d+")) {
            throw new IllegalArgumentException("device: expected auto, cpu, cuda or cuda:N, got '" + device + "'");
        }
        if (s.startsWith("cuda")) Devices.resolve(s); // a GPU PyTorch does not see: one line now, not after a model load
    }

    /** The DJL device ({@link Devices#resolve}). */
    public Device resolve() {
        return Devices.resolve(device);
    }
}

package dev.r1j.recipes.stages;

import ai.djl.Device;
import dev.r1j.core.Devices;
import dev.r1j.core.EngineThreads;
import dev.r1j.options.Default;
import dev.r1j.options.Help;

/**
 * How a stage runs the engine, the same keys on every stage (each stage {@code @Inline}s this record, so they are
 * written flat: {@code grpo: {num_threads: 1, device: cuda:1}}). Declared once here rather than in each stage's options.
 * A {@code device} GPU that PyTorch does not see is refused when the recipe is read, before any stage runs, in one
 * line.
 *
 * <pre>{@code
 * options.engine().apply();   // before the stage's first tensor
 * try (NDManager m = Djl.newManager(options.engine().device())) { ... }
 * }</pre>
 */
public record EngineOptions(
        @Help("PyTorch intra-op threads, 0 = the engine's default (1 is fastest for toy models)") @Default("0")
                int numThreads,
        @Help("where the model runs: auto (the first CUDA GPU PyTorch sees, else the CPU) | cpu | cuda | cuda:N")
                @Default("auto") String device) {

    public EngineOptions {
        if (numThreads < 0) {
            throw new IllegalArgumentException("num_threads must be >= 0 (0 = the engine's default), got " + numThreads);
        }
        String d = device == null ? "" : device.trim().toLowerCase(java.util.Locale.ROOT);
        if (!d.matches("auto|cpu|cuda|cuda:\\d+")) {
            throw new IllegalArgumentException("device: expected auto, cpu, cuda or cuda:N, got '" + device + "'");
        }
        if (d.startsWith("cuda")) Devices.resolve(d); // a GPU PyTorch does not see: one line now, not after a model load
    }

    /** The DJL device the stage's model lives on ({@link Devices#resolve}). */
    public Device resolveDevice() {
        return Devices.resolve(device);
    }

    /** Sizes the engine's thread pool for this stage. */
    public void apply() {
        EngineThreads.apply(numThreads);
    }
}

package dev.r1j.recipes.stages;

import dev.r1j.core.EngineThreads;
import dev.r1j.options.Default;
import dev.r1j.options.Help;

/**
 * How a stage runs the engine, the same keys on every stage (each stage {@code @Inline}s this record, so they are
 * written flat: {@code grpo: {num_threads: 1}}). Declared once here rather than in each stage's options.
 *
 * <pre>{@code
 * options.engine().apply();   // before the stage's first tensor
 * }</pre>
 */
public record EngineOptions(
        @Help("PyTorch intra-op threads, 0 = the engine's default (1 is fastest for toy models)") @Default("0")
                int numThreads) {

    public EngineOptions {
        if (numThreads < 0) {
            throw new IllegalArgumentException("num_threads must be >= 0 (0 = the engine's default), got " + numThreads);
        }
    }

    /** Sizes the engine's thread pool for this stage. */
    public void apply() {
        EngineThreads.apply(numThreads);
    }
}

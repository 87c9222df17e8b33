package dev.r1j.recipes.stages.sft;

import dev.r1j.options.Default;
import dev.r1j.options.Help;
import dev.r1j.recipes.stages.EngineOptions;
import dev.r1j.options.Inline;
import dev.r1j.recipes.stages.DatasetSpec;
import dev.r1j.sft.SftOptions;

/**
 * Options of the {@code sft} stage: the data, the held-out split, the sft library's {@link SftOptions}.
 *
 * <pre>{@code
 * - sft:
 *     dataset: ${run_dir}/data/arith-sft.jsonl       # prompt/completion rows, or messages
 *     eval_fraction: 0.1
 *     training: {epochs: 2, batch_size: 16, learning_rate: 0.001, max_length: 128}
 * }</pre>
 */
public record SftStageOptions(
        @Help("training rows: JSONL with prompt and completion, or chat messages (no answer field needed)")
                DatasetSpec dataset,
        @Help("held-out rows (same fields); null: a seeded eval_fraction of dataset") @Default("null") String evalDataset,
        @Help("share of dataset held out for eval_loss when eval_dataset is null; 0 = no held-out loss")
                @Default("0.05") double evalFraction,
        @Help("start from this checkpoint directory instead of the previous stage's model; null: the previous one")
                @Default("null") String model,
        @Help("training, packing and held-out loss (sft's options)") @Inline SftOptions sft,
        @Help("how the stage runs the engine (num_threads)") @Inline EngineOptions engine) {

    public SftStageOptions {
        if (!(evalFraction >= 0 && evalFraction < 1)) {
            throw new IllegalArgumentException("eval_fraction must be in [0, 1), got " + evalFraction);
        }
        if (sft == null) throw new IllegalArgumentException("the sft options must be given");
    }
}

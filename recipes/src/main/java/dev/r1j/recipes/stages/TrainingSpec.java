package dev.r1j.recipes.stages;

import dev.r1j.core.optim.LrSchedule;
import dev.r1j.recipes.config.Default;
import dev.r1j.recipes.config.Help;
import dev.r1j.sft.TrainingOptions;

/**
 * The {@code training} block of the supervised stages ({@code sft}, {@code dpo}): the sft library's
 * {@link TrainingOptions} with the same names and defaults. Validation is {@link TrainingOptions}' own, run once
 * here so that a bad value is reported with its recipe line.
 *
 * <pre>{@code
 * - sft:
 *     dataset: ${run_dir}/data/arith-sft.jsonl
 *     training: {epochs: 2, batch_size: 16, learning_rate: 0.001}
 * }</pre>
 */
public record TrainingSpec(
        @Help("passes over the training rows (ignored when max_steps > 0)") @Default("3") double epochs,
        @Help("optimizer steps; 0 derives them: ceil(epochs * rows / batch_size)") @Default("0") int maxSteps,
        @Help("rows per step (sft: a packed row holds several examples; dpo: pairs)") @Default("8") int batchSize,
        @Help("tokens per row; longer examples are cut") @Default("1024") int maxLength,
        @Help("peak AdamW learning rate after warmup (Loshchilov and Hutter 2019)") @Default("2e-5") double learningRate,
        @Help("constant | cosine | linear decay after warmup") @Default("cosine") LrSchedule.Kind lrSchedule,
        @Help("linear warmup steps") @Default("0") int warmupSteps,
        @Help("the decay ends at learning_rate * min_lr_ratio") @Default("0.0") double minLrRatio,
        @Help("AdamW decoupled weight decay (not on norms and biases)") @Default("0.0") double weightDecay,
        @Help("AdamW first-moment decay") @Default("0.9") double adamBeta1,
        @Help("AdamW second-moment decay") @Default("0.999") double adamBeta2,
        @Help("AdamW denominator epsilon") @Default("1e-8") double adamEpsilon,
        @Help("global gradient-norm clip, 0 = off") @Default("1.0") double maxGradNorm,
        @Help("micro-batches per step (the same gradient with less memory)") @Default("1") int gradientAccumulationSteps,
        @Help("write a resumable checkpoint every N steps (always at the end), 0 = only at the end") @Default("0")
                int saveEvery,
        @Help("data-order seed; null: the recipe's seed") @Default("null") Long seed) {

    public TrainingSpec {
        // TrainingOptions' own checks, on the parameters (the fields are not assigned yet in a compact constructor)
        new TrainingOptions(epochs, maxSteps, batchSize, maxLength, learningRate, lrSchedule, warmupSteps, minLrRatio,
                weightDecay, adamBeta1, adamBeta2, adamEpsilon, maxGradNorm, gradientAccumulationSteps, saveEvery, 0L);
    }

    /** The library's options, with {@code defaultSeed} when no seed is given. */
    public TrainingOptions toOptions(long defaultSeed) {
        return new TrainingOptions(epochs, maxSteps, batchSize, maxLength, learningRate, lrSchedule, warmupSteps,
                minLrRatio, weightDecay, adamBeta1, adamBeta2, adamEpsilon, maxGradNorm, gradientAccumulationSteps,
                saveEvery, seed != null ? seed : defaultSeed);
    }
}

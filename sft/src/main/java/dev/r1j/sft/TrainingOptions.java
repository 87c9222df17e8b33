package dev.r1j.sft;

import dev.r1j.core.optim.AdamW;
import dev.r1j.core.optim.LrSchedule;
import dev.r1j.core.optim.OptimizerConfig;
import dev.r1j.options.Alias;
import dev.r1j.options.Default;
import dev.r1j.options.Help;
import dev.r1j.options.Inline;
import dev.r1j.options.OptionRecords;

/**
 * Settings every supervised trainer shares ({@link SftTrainer}, and preference tuning's): how long, how big a batch,
 * and the shared {@link OptimizerConfig} block. This record is each option's one declaration (recipe key, default,
 * help, validation); the {@code training:} block of the sft and dpo stages binds it directly.
 *
 * <pre>{@code
 * TrainingOptions o = TrainingOptions.builder().epochs(2).batchSize(16).learningRate(1e-4).build();
 * }</pre>
 */
public record TrainingOptions(
        @Help("passes over the training rows (ignored when max_steps > 0)") @Default("3")
                @Alias(value = "num_train_epochs", source = "TRL") double epochs,
        @Help("optimizer steps; 0 derives them: ceil(epochs * rows / batch_size)") @Default("0") int maxSteps,
        @Help("rows per step (sft: a packed row holds several examples; dpo: pairs)") @Default("8")
                @Alias(value = "per_device_train_batch_size", source = "TRL") int batchSize,
        @Help("tokens per row; longer examples are cut") @Default("1024") int maxLength,
        @Help("the AdamW optimizer and its schedule") @Inline @Default("{learning_rate: 2e-5, lr_schedule: cosine}")
                OptimizerConfig optimizer,
        @Help("micro-batches per step (the same gradient with less memory)") @Default("1") int gradientAccumulationSteps,
        @Help("write a resumable checkpoint every N steps (always at the end), 0 = only at the end") @Default("0")
                @Alias(value = "save_steps", source = "TRL") int saveEvery,
        @Help("data-order seed (in a recipe: the stage's seed, else the recipe's)") @Default("0") long seed) {

    public TrainingOptions {
        if (!(epochs > 0) || Double.isInfinite(epochs)) throw new IllegalArgumentException("epochs must be > 0, got " + epochs);
        if (maxSteps < 0) throw new IllegalArgumentException("max_steps must be >= 0, got " + maxSteps);
        if (batchSize < 1) throw new IllegalArgumentException("batch_size must be >= 1, got " + batchSize);
        if (maxLength < 2) throw new IllegalArgumentException("max_length must be >= 2, got " + maxLength);
        if (optimizer == null) throw new IllegalArgumentException("the optimizer settings must be given");
        if (gradientAccumulationSteps < 1 || gradientAccumulationSteps > batchSize) {
            throw new IllegalArgumentException("gradient_accumulation_steps must be in [1, batch_size = " + batchSize
                    + "], got " + gradientAccumulationSteps);
        }
        if (saveEvery < 0) throw new IllegalArgumentException("save_every must be >= 0, got " + saveEvery);
    }

    /** Every option at its default. */
    public static TrainingOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** The AdamW settings. */
    public AdamW.Config adam() {
        return optimizer.adam();
    }

    /** Optimizer steps for {@code rows} training rows: {@code maxSteps}, or {@code ceil(epochs * rows / batchSize)}. */
    public int totalSteps(int rows) {
        if (maxSteps > 0) return maxSteps;
        return (int) Math.max(1, Math.ceil(epochs * rows / batchSize));
    }

    /** The learning-rate schedule over {@code totalSteps}. */
    public LrSchedule lrSchedule(int totalSteps) {
        return optimizer.schedule(totalSteps);
    }

    /** Fluent construction from the defaults; one line per option over {@link OptionRecords.Builder#set}. */
    public static final class Builder extends OptionRecords.Builder<TrainingOptions> {
        private Builder() { super(TrainingOptions.class); }
        private Builder(TrainingOptions from) { super(from); }

        public Builder epochs(double v) { set("epochs", v); return this; }
        public Builder maxSteps(int v) { set("maxSteps", v); return this; }
        public Builder batchSize(int v) { set("batchSize", v); return this; }
        public Builder maxLength(int v) { set("maxLength", v); return this; }
        public Builder optimizer(OptimizerConfig v) { set("optimizer", v); return this; }
        public Builder learningRate(double v) { set("learningRate", v); return this; }
        public Builder lrSchedule(LrSchedule.Kind v) { set("lrSchedule", v); return this; }
        public Builder warmupSteps(int v) { set("warmupSteps", v); return this; }
        public Builder minLrRatio(double v) { set("minLrRatio", v); return this; }
        public Builder weightDecay(double v) { set("weightDecay", v); return this; }
        public Builder adamBeta1(double v) { set("adamBeta1", v); return this; }
        public Builder adamBeta2(double v) { set("adamBeta2", v); return this; }
        public Builder adamEpsilon(double v) { set("adamEpsilon", v); return this; }
        public Builder maxGradNorm(double v) { set("maxGradNorm", v); return this; }
        public Builder gradientAccumulationSteps(int v) { set("gradientAccumulationSteps", v); return this; }
        public Builder saveEvery(int v) { set("saveEvery", v); return this; }
        public Builder seed(long v) { set("seed", v); return this; }
    }
}

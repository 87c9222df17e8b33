package dev.r1j.sft;

import dev.r1j.core.optim.OptimizerConfig;
import dev.r1j.options.Default;
import dev.r1j.options.Help;
import dev.r1j.options.Inline;
import dev.r1j.options.OptionRecords;

/**
 * Settings of {@link LmTrainer}, next-token training of whole sequences (the {@code pretrain} stage binds them
 * directly). The defaults pretrain the toy arithmetic model (see {@code ArithmeticPretrainExperimentBenchmark}):
 * warmup then cosine decay to a tenth, AdamW with beta2 0.98 and a little weight decay.
 *
 * <pre>{@code
 * LmTrainerConfig c = LmTrainerConfig.builder().steps(600).learningRate(3e-3).build();
 * }</pre>
 */
public record LmTrainerConfig(
        @Help("optimizer steps") @Default("600") int steps,
        @Help("sequences per step") @Default("32") int batchSize,
        @Help("longer sequences are cut to this many tokens (and the model's context length)") @Default("128")
                int maxLength,
        @Help("the AdamW optimizer and its schedule") @Inline @Default("{learning_rate: 0.003, lr_schedule: cosine, "
                + "warmup_steps: 30, min_lr_ratio: 0.1, weight_decay: 0.01, adam_beta2: 0.98}") OptimizerConfig optimizer,
        @Help("seed of data order and of the model's initialisation (in a recipe: the recipe's seed)") @Default("0")
                long seed) {
    public LmTrainerConfig {
        if (steps < 0) throw new IllegalArgumentException("steps must be >= 0, got " + steps);
        if (batchSize < 1) throw new IllegalArgumentException("batch_size must be >= 1, got " + batchSize);
        if (maxLength < 2) throw new IllegalArgumentException("max_length must be >= 2, got " + maxLength);
        if (optimizer == null) throw new IllegalArgumentException("the optimizer settings must be given");
    }

    /** Every option at its default. */
    public static LmTrainerConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** The learning rate of 0-based step {@code step}: the optimizer block's schedule over {@link #steps}. */
    public double lrAt(long step) {
        return optimizer.schedule(steps).lr(step);
    }

    /** Fluent construction from the defaults; one line per option over {@link OptionRecords.Builder#set}. */
    public static final class Builder extends OptionRecords.Builder<LmTrainerConfig> {
        private Builder() { super(LmTrainerConfig.class); }
        private Builder(LmTrainerConfig from) { super(from); }

        public Builder steps(int v) { set("steps", v); return this; }
        public Builder batchSize(int v) { set("batchSize", v); return this; }
        public Builder maxLength(int v) { set("maxLength", v); return this; }
        public Builder optimizer(OptimizerConfig v) { set("optimizer", v); return this; }
        public Builder learningRate(double v) { set("learningRate", v); return this; }
        public Builder warmupSteps(int v) { set("warmupSteps", v); return this; }
        public Builder seed(long v) { set("seed", v); return this; }
    }
}

package dev.r1j.sft;

import dev.r1j.options.Default;
import dev.r1j.options.Help;

/**
 * Settings of {@link SftTrainer}: the shared {@link TrainingOptions} plus SFT's own (the one declaration of each;
 * the {@code sft} stage binds this record inline).
 *
 * <pre>{@code
 * SftOptions o = new SftOptions(TrainingOptions.builder().epochs(2).learningRate(1e-4).build(), true, 50);
 * }</pre>
 */
public record SftOptions(
        @Help("steps, batch, optimizer and schedule") TrainingOptions training,
        @Help("pack short examples into rows of max_length without attention across them") @Default("true")
                boolean packing,
        @Help("held-out loss every N steps (and at the end), 0 = only at the end") @Default("0") int evalEvery) {
    public SftOptions {
        if (training == null) throw new IllegalArgumentException("training options must be given");
        if (evalEvery < 0) throw new IllegalArgumentException("eval_every must be >= 0, got " + evalEvery);
    }

    /** Defaults: {@link TrainingOptions#defaults()}, packing on, evaluation at the end only. */
    public static SftOptions defaults() {
        return new SftOptions(TrainingOptions.defaults(), true, 0);
    }

    public SftOptions withTraining(TrainingOptions t) {
        return new SftOptions(t, packing, evalEvery);
    }
}

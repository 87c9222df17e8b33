package dev.r1j.sft;

/**
 * Settings of {@link SftTrainer}: the shared {@link TrainingOptions} plus SFT's own.
 *
 * @param training  steps, batch, optimizer and schedule
 * @param packing   pack short examples into rows of {@code max_length} without attention across them; default true
 * @param evalEvery evaluate the held-out loss every this many steps (and at the end); 0 (default) = only at the end
 *
 * <pre>{@code
 * SftOptions o = new SftOptions(TrainingOptions.builder().epochs(2).learningRate(1e-4).build(), true, 50);
 * }</pre>
 */
public record SftOptions(TrainingOptions training, boolean packing, int evalEvery) {
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

package dev.r1j.sft;

import dev.r1j.core.optim.AdamW;
import dev.r1j.core.optim.LrSchedule;

/**
 * Settings every supervised trainer shares ({@link SftTrainer}, and preference tuning's): how long, how big a batch,
 * and the AdamW optimizer with its learning-rate schedule. The wire names in {@code snake_case} are the recipe options.
 *
 * @param epochs        passes over the training rows (ignored when {@code maxSteps > 0}); default 3
 * @param maxSteps      optimizer steps; 0 (default) derives them from {@code epochs}
 * @param batchSize     rows per step (SFT: a packed row holds several examples; preference: pairs); default 8
 * @param maxLength     tokens per row; longer examples are cut to this; default 1024
 * @param learningRate  peak learning rate after warmup; default 2e-5
 * @param schedule      {@code constant|cosine|linear} decay after warmup; default cosine
 * @param warmupSteps   linear warmup steps; default 0
 * @param minLrRatio    the decay ends at {@code learningRate * minLrRatio}; default 0
 * @param weightDecay   AdamW decoupled weight decay (not on norms and biases); default 0
 * @param adamBeta1     default 0.9
 * @param adamBeta2     default 0.999
 * @param adamEpsilon   default 1e-8
 * @param maxGradNorm   global gradient-norm clip, 0 disables; default 1.0
 * @param gradientAccumulationSteps split each batch into this many micro-batches, one forward/backward each, for
 *                      the gradient of the whole batch with less memory; default 1
 * @param saveEvery     write a resumable checkpoint every this many steps (and at the end); 0 = only at the end
 * @param seed          data order; the same seed and data give the same run; default 0
 *
 * <pre>{@code
 * TrainingOptions o = TrainingOptions.builder().epochs(2).batchSize(16).learningRate(1e-4).build();
 * }</pre>
 */
public record TrainingOptions(double epochs, int maxSteps, int batchSize, int maxLength,
                         double learningRate, LrSchedule.Kind schedule, int warmupSteps, double minLrRatio,
                         double weightDecay, double adamBeta1, double adamBeta2, double adamEpsilon,
                         double maxGradNorm, int gradientAccumulationSteps, int saveEvery, long seed) {
    public TrainingOptions {
        if (!(epochs > 0) || Double.isInfinite(epochs)) throw new IllegalArgumentException("epochs must be > 0, got " + epochs);
        if (maxSteps < 0) throw new IllegalArgumentException("max_steps must be >= 0, got " + maxSteps);
        if (batchSize < 1) throw new IllegalArgumentException("batch_size must be >= 1, got " + batchSize);
        if (maxLength < 2) throw new IllegalArgumentException("max_length must be >= 2, got " + maxLength);
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning_rate must be > 0, got " + learningRate);
        }
        if (schedule == null) throw new IllegalArgumentException("lr_schedule must be given");
        if (warmupSteps < 0) throw new IllegalArgumentException("warmup_steps must be >= 0, got " + warmupSteps);
        if (!(minLrRatio >= 0 && minLrRatio <= 1)) throw new IllegalArgumentException("min_lr_ratio must be in [0, 1], got " + minLrRatio);
        if (!(maxGradNorm >= 0)) throw new IllegalArgumentException("max_grad_norm must be >= 0, got " + maxGradNorm);
        if (gradientAccumulationSteps < 1 || gradientAccumulationSteps > batchSize) {
            throw new IllegalArgumentException("gradient_accumulation_steps must be in [1, batch_size = " + batchSize
                    + "], got " + gradientAccumulationSteps);
        }
        if (saveEvery < 0) throw new IllegalArgumentException("save_every must be >= 0, got " + saveEvery);
        new AdamW.Config(adamBeta1, adamBeta2, adamEpsilon, weightDecay); // validates the AdamW settings
    }

    /** Every option at its default. */
    public static TrainingOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The AdamW settings. */
    public AdamW.Config adam() {
        return new AdamW.Config(adamBeta1, adamBeta2, adamEpsilon, weightDecay);
    }

    /** Optimizer steps for {@code rows} training rows: {@code maxSteps}, or {@code ceil(epochs * rows / batchSize)}. */
    public int totalSteps(int rows) {
        if (maxSteps > 0) return maxSteps;
        return (int) Math.max(1, Math.ceil(epochs * rows / batchSize));
    }

    /** The learning-rate schedule over {@code totalSteps}. */
    public LrSchedule lrSchedule(int totalSteps) {
        return new LrSchedule(schedule, learningRate, warmupSteps, Math.max(1, totalSteps), minLrRatio);
    }

    /** Builds {@link TrainingOptions} from the defaults (those of {@link #defaults()}). */
    public static final class Builder {
        private double epochs = 3;
        private int maxSteps;
        private int batchSize = 8;
        private int maxLength = 1024;
        private double learningRate = 2e-5;
        private LrSchedule.Kind schedule = LrSchedule.Kind.COSINE;
        private int warmupSteps;
        private double minLrRatio;
        private double weightDecay;
        private double adamBeta1 = 0.9;
        private double adamBeta2 = 0.999;
        private double adamEpsilon = 1e-8;
        private double maxGradNorm = 1.0;
        private int gradientAccumulationSteps = 1;
        private int saveEvery;
        private long seed;

        public Builder epochs(double v) { epochs = v; return this; }
        public Builder maxSteps(int v) { maxSteps = v; return this; }
        public Builder batchSize(int v) { batchSize = v; return this; }
        public Builder maxLength(int v) { maxLength = v; return this; }
        public Builder learningRate(double v) { learningRate = v; return this; }
        public Builder schedule(LrSchedule.Kind v) { schedule = v; return this; }
        public Builder warmupSteps(int v) { warmupSteps = v; return this; }
        public Builder minLrRatio(double v) { minLrRatio = v; return this; }
        public Builder weightDecay(double v) { weightDecay = v; return this; }
        public Builder adamBeta1(double v) { adamBeta1 = v; return this; }
        public Builder adamBeta2(double v) { adamBeta2 = v; return this; }
        public Builder adamEpsilon(double v) { adamEpsilon = v; return this; }
        public Builder maxGradNorm(double v) { maxGradNorm = v; return this; }
        public Builder gradientAccumulationSteps(int v) { gradientAccumulationSteps = v; return this; }
        public Builder saveEvery(int v) { saveEvery = v; return this; }
        public Builder seed(long v) { seed = v; return this; }

        public TrainingOptions build() {
            return new TrainingOptions(epochs, maxSteps, batchSize, maxLength, learningRate, schedule, warmupSteps,
                    minLrRatio, weightDecay, adamBeta1, adamBeta2, adamEpsilon, maxGradNorm, gradientAccumulationSteps,
                    saveEvery, seed);
        }
    }
}

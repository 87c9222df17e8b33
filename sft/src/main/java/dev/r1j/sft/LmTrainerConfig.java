package dev.r1j.sft;

/**
 * Settings of {@link LmTrainer} (pretraining and SFT share them).
 *
 * @param steps         optimizer steps
 * @param batchSize     sequences per step
 * @param maxLength     longer sequences are cut to this many tokens
 * @param learningRate  peak learning rate (after warmup)
 * @param warmupSteps   linear warmup from lr/warmup to lr
 * @param minLrRatio    cosine decay ends at {@code learningRate * minLrRatio}
 * @param weightDecay   AdamW decoupled weight decay (not on norms and biases)
 * @param beta1         AdamW first-moment decay
 * @param beta2         AdamW second-moment decay
 * @param maxGradNorm   global gradient-norm clip; 0 disables
 * @param seed          data order; the same seed and data give the same run
 *
 * <pre>{@code
 * LmTrainerConfig c = LmTrainerConfig.defaults().withSteps(600).withLearningRate(3e-3);
 * }</pre>
 */
public record LmTrainerConfig(int steps, int batchSize, int maxLength, double learningRate, int warmupSteps,
                              double minLrRatio, double weightDecay, double beta1, double beta2, double maxGradNorm,
                              long seed) {
    public LmTrainerConfig {
        if (steps < 0) throw new IllegalArgumentException("steps must be >= 0, got " + steps);
        if (batchSize < 1) throw new IllegalArgumentException("batch_size must be >= 1, got " + batchSize);
        if (maxLength < 2) throw new IllegalArgumentException("max_length must be >= 2, got " + maxLength);
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning_rate must be > 0, got " + learningRate);
        }
        if (warmupSteps < 0) throw new IllegalArgumentException("warmup_steps must be >= 0, got " + warmupSteps);
        if (!(minLrRatio >= 0 && minLrRatio <= 1)) {
            throw new IllegalArgumentException("min_lr_ratio must be in [0, 1], got " + minLrRatio);
        }
        if (!(weightDecay >= 0)) throw new IllegalArgumentException("weight_decay must be >= 0, got " + weightDecay);
        if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException("adam_beta1 must be in [0, 1), got " + beta1);
        if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("adam_beta2 must be in [0, 1), got " + beta2);
        if (!(maxGradNorm >= 0)) throw new IllegalArgumentException("max_grad_norm must be >= 0, got " + maxGradNorm);
    }

    /** Settings that pretrain the toy arithmetic model (see {@code ArithmeticPretrainExperimentBenchmark}). */
    public static LmTrainerConfig defaults() {
        return new LmTrainerConfig(600, 32, 128, 3e-3, 30, 0.1, 0.01, 0.9, 0.98, 1.0, 0L);
    }

    public LmTrainerConfig withSteps(int s) {
        return new LmTrainerConfig(s, batchSize, maxLength, learningRate, warmupSteps, minLrRatio, weightDecay, beta1,
                beta2, maxGradNorm, seed);
    }

    public LmTrainerConfig withBatchSize(int b) {
        return new LmTrainerConfig(steps, b, maxLength, learningRate, warmupSteps, minLrRatio, weightDecay, beta1,
                beta2, maxGradNorm, seed);
    }

    public LmTrainerConfig withLearningRate(double lr) {
        return new LmTrainerConfig(steps, batchSize, maxLength, lr, warmupSteps, minLrRatio, weightDecay, beta1,
                beta2, maxGradNorm, seed);
    }

    public LmTrainerConfig withWarmup(int w) {
        return new LmTrainerConfig(steps, batchSize, maxLength, learningRate, w, minLrRatio, weightDecay, beta1,
                beta2, maxGradNorm, seed);
    }

    public LmTrainerConfig withSeed(long s) {
        return new LmTrainerConfig(steps, batchSize, maxLength, learningRate, warmupSteps, minLrRatio, weightDecay,
                beta1, beta2, maxGradNorm, s);
    }

    /** Warmup, then cosine decay to {@code minLrRatio}; step is 0-based. */
    public double lrAt(long step) {
        if (step < warmupSteps) return learningRate * (step + 1) / warmupSteps;
        double progress = Math.min(1.0, (step - warmupSteps) / (double) Math.max(1, steps - warmupSteps));
        return learningRate * (minLrRatio + (1 - minLrRatio) * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }
}

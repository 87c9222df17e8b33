package dev.r1j.core.optim;

import dev.r1j.options.Alias;
import dev.r1j.options.Default;
import dev.r1j.options.Help;

/**
 * The optimizer block every trainer shares (GRPO, SFT, preference tuning, pretraining): AdamW (Loshchilov and Hutter
 * 2019) with its learning-rate schedule and the global gradient-norm clip. Each trainer's config holds it as an
 * {@link dev.r1j.options.Inline} component, so in a recipe its keys sit beside the trainer's own
 * ({@code learning_rate: 3e-4}), and a trainer overrides some defaults with its own {@code @Default} object.
 *
 * <pre>{@code
 * OptimizerConfig o = new OptionRecords.Builder<>(OptimizerConfig.class).set("learning_rate", 1e-4).build();
 * try (AdamW adam = new AdamW(params, o.adam())) { double lr = o.schedule(totalSteps).lr(step); }
 * }</pre>
 */
public record OptimizerConfig(
        @Help("peak AdamW learning rate, after warmup (Loshchilov and Hutter 2019)") @Default("1e-5")
                double learningRate,
        @Help("constant | cosine (SGDR, Loshchilov and Hutter 2017) | linear decay after warmup") @Default("constant")
                @Alias(value = "lr_scheduler_type", source = "TRL") LrSchedule.Kind lrSchedule,
        @Help("linear warmup steps (Goyal et al. 2017)") @Default("0") int warmupSteps,
        @Help("final learning rate of cosine/linear decay as a fraction of the peak") @Default("0.0") double minLrRatio,
        @Help("decoupled weight decay, not on norms and biases (AdamW, Loshchilov and Hutter 2019)") @Default("0.0")
                double weightDecay,
        @Help("AdamW first-moment decay (Kingma and Ba 2015)") @Default("0.9") double adamBeta1,
        @Help("AdamW second-moment decay (Kingma and Ba 2015)") @Default("0.999") double adamBeta2,
        @Help("AdamW denominator epsilon (Kingma and Ba 2015)") @Default("1e-8") double adamEpsilon,
        @Help("global gradient-norm clip, 0 = off (Pascanu et al. 2013)") @Default("1.0") double maxGradNorm) {

    public OptimizerConfig {
        if (!(learningRate >= 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning_rate must be finite and >= 0, got " + learningRate);
        }
        if (lrSchedule == null) throw new IllegalArgumentException("lr_schedule must be given");
        if (warmupSteps < 0) throw new IllegalArgumentException("warmup_steps must be >= 0, got " + warmupSteps);
        if (!(minLrRatio >= 0 && minLrRatio <= 1)) {
            throw new IllegalArgumentException("min_lr_ratio must be in [0, 1], got " + minLrRatio);
        }
        if (!(maxGradNorm >= 0) || Double.isInfinite(maxGradNorm)) {
            throw new IllegalArgumentException("max_grad_norm must be finite and >= 0 (0 = no clipping), got " + maxGradNorm);
        }
        new AdamW.Config(adamBeta1, adamBeta2, adamEpsilon, weightDecay); // AdamW's own checks, with the key names
    }

    /** The AdamW settings. */
    public AdamW.Config adam() {
        return new AdamW.Config(adamBeta1, adamBeta2, adamEpsilon, weightDecay);
    }

    /** The learning-rate schedule over {@code totalSteps} optimizer steps. */
    public LrSchedule schedule(int totalSteps) {
        return new LrSchedule(lrSchedule, learningRate, warmupSteps, Math.max(1, totalSteps), minLrRatio);
    }
}

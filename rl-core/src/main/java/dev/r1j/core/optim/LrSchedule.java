package dev.r1j.core.optim;


/**
 * A learning-rate schedule: linear warmup over {@code warmupSteps} (step {@code s < warmup} gets
 * {@code base * (s+1) / warmup}, so the first step already learns), then {@code constant}, {@code cosine} decay
 * (Loshchilov and Hutter, SGDR) or {@code linear} decay from {@code base} to {@code base * minRatio} at
 * {@code totalSteps}. Steps are 0-based optimizer steps; past {@code totalSteps} the final value holds.
 *
 * <pre>{@code
 * LrSchedule s = new LrSchedule(LrSchedule.Kind.COSINE, 1e-4, 10, 200, 0.1);
 * double lr = s.lr(step);
 * }</pre>
 */
public record LrSchedule(Kind kind, double base, int warmupSteps, int totalSteps, double minRatio) {

    /** The shape after warmup. */
    public enum Kind {
        CONSTANT, COSINE, LINEAR
    }

    public LrSchedule {
        if (kind == null) throw new IllegalArgumentException("lr_schedule must be given");
        if (!(base >= 0) || Double.isInfinite(base)) {
            throw new IllegalArgumentException("learning_rate must be finite and >= 0, got " + base);
        }
        if (warmupSteps < 0) throw new IllegalArgumentException("warmup_steps must be >= 0, got " + warmupSteps);
        if (totalSteps < 1) throw new IllegalArgumentException("total steps must be >= 1, got " + totalSteps);
        if (!(minRatio >= 0 && minRatio <= 1)) {
            throw new IllegalArgumentException("min_lr_ratio must be in [0, 1], got " + minRatio);
        }
    }

    /** A constant rate without warmup. */
    public static LrSchedule constant(double lr) {
        return new LrSchedule(Kind.CONSTANT, lr, 0, 1, 1.0);
    }

    /** The learning rate of 0-based optimizer step {@code step}. */
    public double lr(long step) {
        if (step < 0) throw new IllegalArgumentException("step must be >= 0, got " + step);
        if (step < warmupSteps) return base * (step + 1) / warmupSteps;
        if (kind == Kind.CONSTANT) return base;
        int decaySteps = Math.max(1, totalSteps - warmupSteps);
        double progress = Math.min(1.0, (double) (step - warmupSteps) / decaySteps);
        if (kind == Kind.COSINE) {
            // written as LmTrainer's pretraining schedule always was, so its rates stay bit-identical
            return base * (minRatio + (1 - minRatio) * 0.5 * (1 + Math.cos(Math.PI * progress)));
        }
        return base * (minRatio + (1 - minRatio) * (1 - progress));
    }
}

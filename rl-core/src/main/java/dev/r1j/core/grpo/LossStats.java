package dev.r1j.core.grpo;

import java.util.List;

/**
 * Diagnostics of one loss evaluation, as token-weighted means over the completion mask: the fraction of tokens whose
 * ratio was clipped below ({@code ratio < 1-eps_low} with a negative advantage) or above ({@code ratio > 1+eps_high}
 * with a positive advantage), the k3 KL to the reference ({@code NaN} without one), the mean ratio and the mean
 * entropy ({@code NaN} when not given).
 */
public record LossStats(
        double tokens, double clipFracLow, double clipFracHigh, double kl, double ratioMean, double entropy) {

    /** Both clip fractions together. */
    public double clipFrac() {
        return clipFracLow + clipFracHigh;
    }

    /** Token-weighted combination of micro-batch stats. */
    public static LossStats merge(List<LossStats> parts) {
        double t = 0, low = 0, high = 0, kl = 0, ratio = 0, ent = 0;
        for (LossStats s : parts) {
            if (s.tokens == 0) continue; // its means are NaN, and NaN * 0 is NaN: a part without tokens adds nothing
            t += s.tokens;
            low += s.clipFracLow * s.tokens;
            high += s.clipFracHigh * s.tokens;
            kl += s.kl * s.tokens;
            ratio += s.ratioMean * s.tokens;
            ent += s.entropy * s.tokens;
        }
        if (t == 0) return new LossStats(0, 0, 0, Double.NaN, Double.NaN, Double.NaN);
        return new LossStats(t, low / t, high / t, kl / t, ratio / t, ent / t);
    }
}

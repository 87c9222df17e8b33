package dev.r1j.core.grpo;

import ai.djl.ndarray.NDArray;
import dev.r1j.options.Alias;

/**
 * Per-token estimators of KL(policy || reference) from {@code d = log ref - log policy} of a token sampled from the
 * policy (Schulman, "Approximating KL Divergence", 2020): {@code k1 = -d} (unbiased, high variance, can be negative),
 * {@code k2 = d^2 / 2} (biased, low variance), {@code k3 = e^d - d - 1} (unbiased, low variance, >= 0; GRPO's).
 */
public enum KlEstimator {
    @Alias(value = "kl", source = "veRL") K1,
    @Alias(value = "mse", source = "veRL") K2,
    @Alias(value = "low_var_kl", source = "veRL") K3;

    /** The estimate per element of {@code d = refLogProbs - newLogProbs}. */
    public NDArray of(NDArray d) {
        return switch (this) {
            case K1 -> d.neg();
            case K2 -> dev.r1j.core.Scalars.mul(d.mul(d), 0.5); // not mul(Number): autograd keeps that operand
            case K3 -> d.exp().sub(d).sub(1);
        };
    }
}

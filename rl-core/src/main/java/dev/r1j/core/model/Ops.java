package dev.r1j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;

/**
 * The functional building blocks of the decoder. Every op takes the activation as its first operand, so results
 * live in the caller's (per-step) manager, never in the parameters' manager.
 */
final class Ops {
    private Ops() {}

    /** {@code x @ w^T + b} (PyTorch's F.linear); {@code w} is [out, in] as in Hugging Face; {@code b} may be null. */
    static NDArray linear(NDArray x, NDArray w, NDArray b) {
        return (b == null ? Linear.linear(x, w) : Linear.linear(x, w, b)).singletonOrThrow();
    }

    /** RMSNorm over the last axis: {@code x / sqrt(mean(x^2) + eps) * w}. */
    static NDArray rmsNorm(NDArray x, NDArray w, double eps) {
        NDArray rms = x.square().mean(new int[] {-1}, true).add(eps).sqrt();
        return x.div(rms).mul(w);
    }

    /** SiLU: {@code x * sigmoid(x)}. */
    static NDArray silu(NDArray x) {
        return x.mul(Activation.sigmoid(x));
    }

    /** A named linear layer applied to an activation (its base weight, bias and LoRA adapter, if any). */
    @FunctionalInterface
    interface Projection {
        NDArray apply(String module, NDArray x);
    }

    /** The SwiGLU MLP {@code down(silu(gate(x)) * up(x))} of the projections {@code prefix + gate_proj} etc. */
    static NDArray swiglu(NDArray x, Projection proj, String prefix) {
        NDArray h = silu(proj.apply(prefix + "gate_proj", x)).mul(proj.apply(prefix + "up_proj", x));
        return proj.apply(prefix + "down_proj", h);
    }
}

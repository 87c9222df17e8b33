package dev.r1j.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Tensor-with-number arithmetic that is safe to differentiate. Use these instead of DJL's {@code NDArray.mul(Number)},
 * {@code div(Number)}, {@code minimum(Number)}, {@code maximum(Number)}, {@code clip(Number, Number)} and
 * {@code pow(Number)} on anything a backward pass goes through.
 *
 * <p>Why: DJL's PyTorch engine implements those overloads as {@code try (NDArray s = manager.create(n)) { return
 * op(s); }}. {@code create} wraps a Java direct buffer without copying ({@code torch::from_blob}), and closing
 * {@code s} drops the only Java reference to that buffer. Autograd keeps the 0-dim tensor, because multiplication,
 * division, min/max and clamp need it again in backward. When a garbage collection runs between the forward and the
 * backward pass, the buffer is freed (the allocator writes its own bookkeeping into it), and backward multiplies
 * gradients by whatever is there: the loss is right and the gradient is not, or NaN. That made SFT and DPO runs
 * with the same seed differ in about one run in four (issue 18). The scalars made here live in memory PyTorch owns
 * ({@code torch.full}), so they stay valid for as long as autograd holds them. The result values and gradients are
 * bit-identical to DJL's overloads' (the same PyTorch ops on the same 0-dim operand, cast to the tensor's dtype).
 *
 * <p>Additions and subtractions of a number are safe as they are (PyTorch saves no operand for them).
 *
 * <pre>{@code
 * NDArray q = Scalars.mul(rotated, attentionScale);   // not rotated.mul(attentionScale)
 * NDArray loss = Scalars.div(nll.sum(), targetTokens);
 * }</pre>
 */
public final class Scalars {
    private Scalars() {}

    /** A 0-dim tensor holding {@code value} with {@code like}'s dtype, device and manager, in PyTorch-owned memory. */
    public static NDArray of(NDArray like, double value) {
        return JniUtils.full((PtNDManager) like.getManager(), new Shape(), value, like.getDataType(),
                like.getDevice(), SparseFormat.DENSE);
    }

    /** {@code x * s}. */
    public static NDArray mul(NDArray x, double s) {
        return x.mul(of(x, s));
    }

    /** {@code x / s}. */
    public static NDArray div(NDArray x, double s) {
        return x.div(of(x, s));
    }

    /** Element-wise {@code min(x, s)} (PyTorch {@code minimum}: at a tie each side gets half the gradient). */
    public static NDArray minimum(NDArray x, double s) {
        return x.minimum(of(x, s));
    }

    /** Element-wise {@code max(x, s)} (PyTorch {@code maximum}). */
    public static NDArray maximum(NDArray x, double s) {
        return x.maximum(of(x, s));
    }

    /**
     * {@code x} clamped to {@code [min, max]}, with {@code torch.clamp}'s gradient: 1 where {@code min <= x <= max}
     * (bounds included), 0 outside. The clamped values come from a clamp of the detached {@code x} (no graph, so
     * nothing of it is kept for backward); the gradient flows through {@code x} where it is inside.
     */
    public static NDArray clip(NDArray x, double min, double max) {
        NDArray inside = x.gte(of(x, min)).logicalAnd(x.lte(of(x, max)));
        NDArray clamped = x.stopGradient().clip(min, max);
        return NDArrays.where(inside, x, clamped);
    }
}

package dev.r1j.core.optim;

import ai.djl.ndarray.NDArray;
import dev.r1j.core.optim.AdamW;
import dev.r1j.core.optim.GradClip;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleFunction;

/**
 * The end of every training step (SFT, pretraining, preference tuning, GRPO): after {@code backward}, clip the
 * global gradient norm, refuse a non-finite one (the weights then stay those of the last good step), take one AdamW
 * step and zero the gradients.
 *
 * <pre>{@code
 * try (GradientCollector gc = Djl.engine().newGradientCollector()) { gc.backward(loss); }
 * double gradNorm = GradientStep.apply(model.parameters(), optimizer, lr, 1.0, step);
 * }</pre>
 */
public final class GradientStep {
    private GradientStep() {}

    /**
     * @param step 1-based step number, for the error message
     * @return the gradient norm before clipping
     * @throws IllegalStateException when the gradient norm is not finite (gradients are zeroed, no update is made)
     */
    public static double apply(Map<String, NDArray> params, AdamW optimizer, double lr, double maxGradNorm, int step) {
        return apply(params, optimizer, lr, maxGradNorm, norm -> new IllegalStateException("gradient norm is " + norm
                + " at step " + step + " (non-finite gradients in " + nonFinite(params) + "); stopped before the update"));
    }

    /**
     * The same step, with the caller's own error for a non-finite gradient norm (GRPO throws its
     * {@code NonFiniteLossException}). {@code onNonFinite} runs before the gradients are zeroed, so it may inspect them.
     *
     * @return the gradient norm before clipping
     */
    public static double apply(Map<String, NDArray> params, AdamW optimizer, double lr, double maxGradNorm,
            DoubleFunction<? extends RuntimeException> onNonFinite) {
        double norm = GradClip.clipGlobalNorm(params.values(), maxGradNorm);
        if (!Double.isFinite(norm)) {
            RuntimeException error = onNonFinite.apply(norm);
            optimizer.zeroGrad();
            throw error;
        }
        optimizer.step(lr);
        optimizer.zeroGrad();
        return norm;
    }

    /** Throws when a loss is not finite, before any backward pass touches the weights. */
    public static void requireFinite(double loss, int step) {
        if (!Double.isFinite(loss)) {
            throw new IllegalStateException("loss is " + loss + " at step " + step
                    + "; stopped before the update (weights are those of step " + (step - 1) + ")");
        }
    }

    private static List<String> nonFinite(Map<String, NDArray> params) {
        List<String> bad = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            if (!e.getValue().hasGradient()) continue;
            try (NDArray g = e.getValue().getGradient(); NDArray s = g.abs().sum()) {
                if (!Float.isFinite(s.getFloat())) bad.add(e.getKey());
            }
        }
        return bad;
    }
}

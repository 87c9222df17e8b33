package dev.r1j.core.optim;

import ai.djl.ndarray.NDArray;
import dev.r1j.core.model.CausalLM;
import dev.r1j.core.optim.AdamW;
import dev.r1j.core.optim.GradClip;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleFunction;

/**
 * The end of every training step (SFT, pretraining, preference tuning, GRPO): after {@code backward}, clip the
 * global gradient norm, refuse a non-finite one (the weights then stay those of the last good step), take one AdamW
 * step and free or zero the gradients.
 *
 * <pre>{@code
 * try (GradientCollector gc = Djl.engine().newGradientCollector()) { gc.backward(loss); }
 * double gradNorm = GradientStep.apply(model, optimizer, lr, 1.0, step); // gradients then freed or zeroed
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
        return apply(params, optimizer, lr, maxGradNorm, nonFiniteNorm(params, step));
    }

    /**
     * The same step, with the caller's own error for a non-finite gradient norm (GRPO throws its
     * {@code NonFiniteLossException}). {@code onNonFinite} runs before the gradients are zeroed, so it may inspect them.
     *
     * @return the gradient norm before clipping
     */
    public static double apply(Map<String, NDArray> params, AdamW optimizer, double lr, double maxGradNorm,
            DoubleFunction<? extends RuntimeException> onNonFinite) {
        return apply(params, optimizer, lr, maxGradNorm, onNonFinite, optimizer::zeroGrad);
    }

    /**
     * The step for {@code model}'s trainable parameters, ending with their gradients freed when the model can
     * ({@link CausalLM#releaseGradients}) and zeroed otherwise.
     *
     * @param step 1-based step number, for the error message
     * @return the gradient norm before clipping
     */
    public static double apply(CausalLM model, AdamW optimizer, double lr, double maxGradNorm, int step) {
        return apply(model, optimizer, lr, maxGradNorm, nonFiniteNorm(model.trainableParameters(), step));
    }

    /** {@link #apply(CausalLM, AdamW, double, double, int)} with the caller's own error for a non-finite norm. */
    public static double apply(CausalLM model, AdamW optimizer, double lr, double maxGradNorm,
            DoubleFunction<? extends RuntimeException> onNonFinite) {
        return apply(model.trainableParameters(), optimizer, lr, maxGradNorm, onNonFinite, () -> {
            if (!model.releaseGradients()) optimizer.zeroGrad();
        });
    }

    private static double apply(Map<String, NDArray> params, AdamW optimizer, double lr, double maxGradNorm,
            DoubleFunction<? extends RuntimeException> onNonFinite, Runnable clearGradients) {
        double norm = GradClip.clipGlobalNorm(params.values(), maxGradNorm);
        if (!Double.isFinite(norm)) {
            RuntimeException error = onNonFinite.apply(norm);
            optimizer.zeroGrad();
            throw error;
        }
        optimizer.step(lr);
        clearGradients.run();
        return norm;
    }

    private static DoubleFunction<IllegalStateException> nonFiniteNorm(Map<String, NDArray> params, int step) {
        return norm -> new IllegalStateException("gradient norm is " + norm + " at step " + step
                + " (non-finite gradients in " + nonFinite(params) + "); stopped before the update");
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

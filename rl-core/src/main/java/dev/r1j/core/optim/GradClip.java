package dev.r1j.core.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Collection;

/**
 * Global gradient-norm clipping (Pascanu et al. 2013), as {@code torch.nn.utils.clip_grad_norm_}: when the L2 norm
 * of all gradients together exceeds {@code maxNorm}, every gradient is scaled in place by
 * {@code maxNorm / (norm + 1e-6)}.
 *
 * <pre>{@code
 * double gradNorm = GradClip.clipGlobalNorm(model.parameters().values(), 1.0);
 * }</pre>
 */
public final class GradClip {
    private GradClip() {}

    /** The global norm of the parameters' gradients (0 when none has one). */
    public static double globalNorm(Collection<NDArray> params) {
        double sumSq = 0;
        for (NDArray p : params) {
            if (!p.hasGradient()) continue;
            try (NDManager sm = p.getManager().newSubManager()) {
                NDArray g = p.getGradient();
                g.attach(sm);
                // norm() accumulates in double on the CPU, so elements near 1e19 do not overflow a float sum of squares
                NDArray s = g.norm();
                s.attach(sm);
                double n = s.getFloat();
                sumSq += n * n;
            }
        }
        return Math.sqrt(sumSq);
    }

    /**
     * Clips in place; {@code maxNorm <= 0} only measures.
     *
     * @return the norm before clipping (what {@code metrics.jsonl} logs as {@code grad_norm})
     */
    public static double clipGlobalNorm(Collection<NDArray> params, double maxNorm) {
        double norm = globalNorm(params);
        if (maxNorm <= 0 || !Double.isFinite(norm)) return norm;
        double coef = maxNorm / (norm + 1e-6);
        if (coef < 1) {
            for (NDArray p : params) {
                if (!p.hasGradient()) continue;
                try (NDArray g = p.getGradient()) {
                    g.muli((float) coef);
                }
            }
        }
        return norm;
    }
}

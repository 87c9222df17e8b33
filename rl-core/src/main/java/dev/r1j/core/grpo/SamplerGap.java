package dev.r1j.core.grpo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One step's comparison of the sampler's behaviour log-probs with the trainer's pre-update ones, micro-batch by
 * micro-batch: the {@link OffPolicyStats} metrics and, when {@link RolloutCorrection#active()}, the correction
 * weights of the policy term. The trainer's pre-update log-probs are the stored old ones ({@code num_iterations >
 * 1}) or the first update pass's own (the policy has not changed yet when it runs), so the correction costs no
 * extra forward pass. Weights are computed in the first pass and reused by later iterations.
 */
final class SamplerGap {
    private final RolloutCorrection correction;
    private final float[] sampler; // [N * width], null when some completion has no log-probs
    private final float[] mask;
    private final int width;
    private final OffPolicyStats stats = new OffPolicyStats();
    private final Map<Integer, float[]> weightsByStart = new HashMap<>();

    SamplerGap(RolloutCorrection correction, List<ScoredCompletion> samples, int width, NDArray mask) {
        this.correction = correction;
        this.width = width;
        this.mask = mask.toFloatArray();
        float[] lp = new float[samples.size() * width];
        boolean complete = true;
        for (int i = 0; i < samples.size() && complete; i++) {
            float[] c = samples.get(i).completion().logprobs();
            if (c == null) {
                complete = false;
                if (correction.active()) {
                    throw new IllegalStateException("rollout_correction " + correction.mode().name().toLowerCase()
                            + " needs the sampler's log-probs, and a completion of prompt '"
                            + samples.get(i).prompt().prompt() + "' has none: use a sampler that returns them");
                }
            } else {
                System.arraycopy(c, 0, lp, i * width, c.length);
            }
        }
        this.sampler = complete ? lp : null;
    }

    /**
     * The correction weights {@code [end - start, width]} of rows {@code start..end}, or {@code null} when the loss
     * is not corrected. {@code trainer} is the rows' pre-update log-probs in the first iteration (they are measured
     * then) and {@code null} in later ones.
     */
    NDArray weights(NDArray trainer, int start, int end, NDManager into) {
        if (sampler == null) return null;
        int rows = end - start;
        if (trainer != null) {
            float[] t = trainer.toFloatArray();
            float[] s = java.util.Arrays.copyOfRange(sampler, start * width, end * width);
            float[] m = java.util.Arrays.copyOfRange(mask, start * width, end * width);
            stats.add(t, s, m);
            if (correction.active()) weightsByStart.put(start, correction.weights(t, s, m, rows, width, stats));
        }
        if (!correction.active()) return null;
        float[] w = weightsByStart.get(start);
        // a copy in PyTorch-owned memory: autograd keeps the operand of the multiplication for the backward pass
        return into.create(w, new Shape(rows, width)).duplicate();
    }

    /** The step's {@code rollout_corr/*} metrics (NaN when the sampler gave no log-probs). */
    Map<String, Double> metrics() {
        return stats.toMetrics();
    }
}

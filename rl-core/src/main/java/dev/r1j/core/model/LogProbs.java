package dev.r1j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;

/**
 * Per-token log-probabilities of given tokens under a model, for a padded batch: the quantity GRPO, SFT and DPO
 * train through. Differentiable (log_softmax and gather), so call it inside a GradientCollector to train.
 *
 * <pre>{@code
 * NDArray lp = LogProbs.tokenLogProbs(model, ids, mask);   // [B, T-1], lp[b, t] = log p(ids[b, t+1] | ids[b, ..t])
 * }</pre>
 *
 * Entries whose target {@code ids[b, t+1]} is padding are meaningless; callers mask them (with
 * {@code mask[:, 1:]}).
 */
public final class LogProbs {
    private LogProbs() {}

    /** Log-probs and per-position entropy of the next-token distribution, both {@code [B, T-1]}. */
    public record TokenStats(NDArray logProbs, NDArray entropy) {}

    /** {@code [B, T-1]} log p(ids[t+1] | ids[..t]); float32 for a float32 model. */
    public static NDArray tokenLogProbs(CausalLM model, NDArray ids, NDArray mask) {
        return fromLogits(model.forward(ids, mask, null), ids);
    }

    /** Like {@link #tokenLogProbs} plus the entropy {@code -sum p log p} of each next-token distribution. */
    public static TokenStats tokenLogProbsAndEntropy(CausalLM model, NDArray ids, NDArray mask) {
        NDArray logp = shiftedLogSoftmax(model.forward(ids, mask, null));
        NDArray entropy = logp.exp().mul(logp).sum(new int[] {2}).neg();
        return new TokenStats(gatherTargets(logp, ids), entropy);
    }

    /** The same from precomputed logits {@code [B, T, V]}. */
    public static NDArray fromLogits(NDArray logits, NDArray ids) {
        return gatherTargets(shiftedLogSoftmax(logits), ids);
    }

    private static NDArray shiftedLogSoftmax(NDArray logits) {
        return logits.get(new NDIndex(":, :-1, :")).logSoftmax(2);
    }

    private static NDArray gatherTargets(NDArray logp, NDArray ids) {
        NDArray targets = ids.get(new NDIndex(":, 1:")).expandDims(2);
        return logp.gather(targets, 2).squeeze(2);
    }
}

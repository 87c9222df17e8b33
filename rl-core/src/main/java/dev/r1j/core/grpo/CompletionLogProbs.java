package dev.r1j.core.grpo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import dev.r1j.core.model.CausalLM;

/**
 * Log-probs (and optionally entropies) of the completion tokens of a batch laid out as
 * {@code [left-padded prompt | right-padded completion]}: columns {@code [P, P + C)} of {@code ids} hold the
 * completions, and the logits at column {@code t - 1} score the token at {@code t}. Only the completion slice of the
 * logits goes through the log-softmax.
 *
 * <pre>{@code
 * CompletionLogProbs.Result r = CompletionLogProbs.compute(model, ids, attention, promptWidth, true);
 * NDArray logp = r.logProbs();     // [B, C], differentiable when computed under a gradient collector
 * }</pre>
 */
public final class CompletionLogProbs {
    private CompletionLogProbs() {}

    /** {@code logProbs} float32 [B, C]; {@code entropy} float32 [B, C] (detached) or null. */
    public record Result(NDArray logProbs, NDArray entropy) {}

    /**
     * @param ids int64 {@code [B, P + C]}
     * @param attention int64 {@code [B, P + C]}, 1 for real tokens
     * @param promptWidth {@code P}, at least 1
     */
    public static Result compute(CausalLM model, NDArray ids, NDArray attention, int promptWidth, boolean entropy) {
        long width = ids.getShape().get(1);
        if (promptWidth < 1 || promptWidth >= width) {
            throw new IllegalArgumentException("prompt width " + promptWidth + " must be in [1, " + width + ")");
        }
        NDArray logits = model.forward(ids, attention, null);
        NDArray sliced = logits.get(new NDIndex(":, {}:{}, :", promptWidth - 1, width - 1));
        NDArray logpAll = sliced.logSoftmax(-1);
        NDArray targets = ids.get(new NDIndex(":, {}:", promptWidth)).expandDims(-1);
        NDArray logp = logpAll.gather(targets, 2).squeeze(2);
        NDArray ent = null;
        if (entropy) {
            NDArray lp = logpAll.stopGradient();
            ent = lp.exp().mul(lp).sum(new int[] {2}).neg();
        }
        return new Result(logp, ent);
    }
}

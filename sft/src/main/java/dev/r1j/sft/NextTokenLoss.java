package dev.r1j.sft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import dev.r1j.core.model.CausalLM;

/**
 * The masked next-token cross-entropy: the mean over target tokens of {@code -log p(ids[t+1] | ids[..t])}.
 * Each target token weighs the same, whichever sequence it is in (pretraining and SFT convention).
 *
 * <pre>{@code
 * NDArray loss = NextTokenLoss.mean(model, batch);   // scalar, differentiable
 * }</pre>
 */
public final class NextTokenLoss {
    private NextTokenLoss() {}

    /** Per-position log-probs of the next token, float32 {@code [B, T-1]}. */
    public static NDArray tokenLogProbs(CausalLM model, PaddedBatch batch) {
        NDArray logits = model.forward(batch.ids(), batch.attentionMask(), null);
        long t = batch.ids().getShape().get(1);
        NDArray logp = logits.get(new NDIndex(":, :{}, :", t - 1)).logSoftmax(2);
        NDArray next = batch.ids().get(new NDIndex(":, 1:")).expandDims(2);
        return logp.gather(next, 2).squeeze(2);
    }

    /** Mean negative log-likelihood over the batch's target tokens (a scalar). */
    public static NDArray mean(CausalLM model, PaddedBatch batch) {
        if (batch.targetTokens() == 0) throw new IllegalArgumentException("batch has no target tokens");
        NDArray lp = tokenLogProbs(model, batch);
        return lp.mul(batch.targetMask()).sum().neg().div(batch.targetTokens());
    }
}

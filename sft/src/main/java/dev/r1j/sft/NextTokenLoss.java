package dev.r1j.sft;

import ai.djl.ndarray.NDArray;
import dev.r1j.core.Scalars;
import dev.r1j.core.model.CausalLM;
import dev.r1j.core.model.LogProbs;
import dev.r1j.core.train.PaddedBatch;

/**
 * The masked next-token cross-entropy: the mean over target tokens of {@code -log p(ids[t+1] | ids[..t])}.
 * Each target token weighs the same, whichever sequence (or packed example) it is in: the pretraining and SFT
 * convention, so a packed batch has the same loss as the same examples one per row.
 *
 * <pre>{@code
 * NDArray loss = NextTokenLoss.mean(model, batch);   // scalar, differentiable
 * }</pre>
 */
public final class NextTokenLoss {
    private NextTokenLoss() {}

    /** The model's logits for the batch: the packed forward when rows hold several examples. */
    public static NDArray logits(CausalLM model, PaddedBatch batch) {
        return batch.isPacked() ? model.forwardPacked(batch.ids(), batch.segmentIds())
                : model.forward(batch.ids(), batch.attentionMask(), null);
    }

    /**
     * Per-position log-probs of the next token, float32 {@code [B, T-1]}. Unpacked batches go through
     * {@link LogProbs#tokenLogProbs}, which never holds the full {@code [B, T, vocab]} logits.
     */
    public static NDArray tokenLogProbs(CausalLM model, PaddedBatch batch) {
        return batch.isPacked() ? LogProbs.fromLogits(logits(model, batch), batch.ids())
                : LogProbs.tokenLogProbs(model, batch.ids(), batch.attentionMask());
    }

    /** Mean negative log-likelihood over the batch's target tokens (a scalar). */
    public static NDArray mean(CausalLM model, PaddedBatch batch) {
        if (batch.targetTokens() == 0) throw new IllegalArgumentException("batch has no target tokens");
        return sum(model, batch).div(batch.targetTokens());
    }

    /** The same from logits {@code [B, T, V]} already computed for {@code batch}. */
    public static NDArray fromLogits(NDArray logits, PaddedBatch batch) {
        if (batch.targetTokens() == 0) throw new IllegalArgumentException("batch has no target tokens");
        return Scalars.div(sumFromLogits(logits, batch), batch.targetTokens());
    }

    /**
     * The summed negative log-likelihood of the batch's target tokens, to divide by the target count of a larger
     * batch it is a micro-batch of (gradient accumulation).
     */
    public static NDArray sum(CausalLM model, PaddedBatch batch) {
        return tokenLogProbs(model, batch).mul(batch.targetMask()).sum().neg();
    }

    /**
     * {@link #sum} divided by {@code batchTargetTokens}, the target count of the whole batch this micro-batch is part
     * of: the micro-batches' losses and gradients add up to the batch's mean.
     */
    public static NDArray partOfMean(CausalLM model, PaddedBatch batch, int batchTargetTokens) {
        return Scalars.div(sum(model, batch), batchTargetTokens);
    }

    private static NDArray sumFromLogits(NDArray logits, PaddedBatch batch) {
        return LogProbs.fromLogits(logits, batch.ids()).mul(batch.targetMask()).sum().neg();
    }
}

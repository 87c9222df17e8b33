package dev.r1j.preference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.r1j.core.model.CausalLM;
import dev.r1j.core.model.LogProbs;
import dev.r1j.core.train.PaddedBatch;
import dev.r1j.core.train.TokenSequence;
import java.util.List;

/**
 * Summed log-probs of each sequence's target (completion) tokens, one forward over a right-padded batch: the
 * per-sequence quantity every preference loss compares.
 *
 * <pre>{@code
 * SequenceLogProbs s = SequenceLogProbs.of(model, seqs, tokenizer.padId(), stepManager);
 * NDArray logp = s.sums();      // [N], differentiable under a gradient collector
 * }</pre>
 */
public record SequenceLogProbs(NDArray sums, NDArray tokens) {

    /** {@code sums[i] = Σ_t target_i[t] · log p(ids_i[t] | ids_i[..t])}; {@code tokens[i]} the target count. */
    public static SequenceLogProbs of(CausalLM model, List<TokenSequence> seqs, int padId, NDManager manager) {
        PaddedBatch b = PaddedBatch.of(seqs, padId, manager);
        NDArray lp = LogProbs.tokenLogProbs(model, b.ids(), b.attentionMask());
        return new SequenceLogProbs(lp.mul(b.targetMask()).sum(new int[] {1}), b.targetMask().sum(new int[] {1}));
    }
}

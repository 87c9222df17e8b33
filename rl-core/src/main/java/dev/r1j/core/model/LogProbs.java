package dev.r1j.core.model;

import dev.r1j.core.Scalars;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.util.function.UnaryOperator;

/**
 * Per-token log-probabilities of given tokens under a model, for a padded batch: the quantity GRPO, SFT and DPO
 * train through. Differentiable, so call it inside a GradientCollector to train.
 *
 * <p><b>Memory.</b> Only the chosen token's log-prob is kept (a "selective" log-softmax, as TRL's
 * {@code selective_log_softmax}): the vocabulary axis is reduced chunk by chunk over the sequence, each chunk's
 * logits computed from the final hidden states by the model's LM head when it offers them
 * ({@link CausalLM#hiddenStates}), so the full {@code [B, T, vocab]} logits and their log-softmax are never held at
 * once. Each chunk's Java handles are closed as soon as its log-probs exist: under autograd the graph keeps what
 * backward needs (about one chunk's log-softmax per chunk), without autograd nothing of it survives the chunk.
 * A model that {@linkplain CausalLM#recomputesHeadInBackward recomputes its head in backward} (a
 * {@link Transformer} with gradient checkpointing) keeps not even that: its head runs again chunk by chunk in
 * {@link CausalLM#backward} ({@link RecomputedHead}), so under autograd only the hidden states are held.
 *
 * <p><b>Temperature.</b> With {@code temperature = T > 0} the log-probs are those of {@code softmax(logits / T)},
 * the distribution a sampler at {@code T} draws from (as TRL and veRL do); {@code T = 1} (or 0, greedy) leaves the
 * logits as they are.
 *
 * <pre>{@code
 * NDArray lp = LogProbs.tokenLogProbs(model, ids, mask);   // [B, T-1], lp[b, t] = log p(ids[b, t+1] | ids[b, ..t])
 * TokenStats c = LogProbs.of(model, ids, mask, promptWidth, 0.7, true);   // completion tokens only, at T = 0.7
 * }</pre>
 *
 * Entries whose target {@code ids[b, t+1]} is padding are meaningless; callers mask them (with
 * {@code mask[:, 1:]}).
 */
public final class LogProbs {
    /** Upper bound on the elements of one chunk's logits ({@code B x chunk x vocab}): 16M floats = 64 MB. */
    static final long CHUNK_ELEMENTS = 1L << 24;

    private LogProbs() {}

    /** Log-probs and per-position entropy of the next-token distribution (entropy detached, or null). */
    public record TokenStats(NDArray logProbs, NDArray entropy) {}

    /** {@code [B, T-1]} log p(ids[t+1] | ids[..t]); float32 for a float32 model. */
    public static NDArray tokenLogProbs(CausalLM model, NDArray ids, NDArray mask) {
        if (ids.getShape().get(1) < 2) { // one token: nothing predicts it
            return ids.getManager().zeros(new ai.djl.ndarray.types.Shape(ids.getShape().get(0), 0));
        }
        return of(model, ids, mask, 1, 1.0, false).logProbs();
    }

    /** Like {@link #tokenLogProbs} plus the entropy {@code -sum p log p} of each next-token distribution. */
    public static TokenStats tokenLogProbsAndEntropy(CausalLM model, NDArray ids, NDArray mask) {
        return of(model, ids, mask, 1, 1.0, true);
    }

    /**
     * Log-probs of the tokens {@code ids[:, start:]} ({@code [B, T - start]}): entry {@code j} scores
     * {@code ids[:, start + j]} from the logits at column {@code start + j - 1}.
     *
     * @param start first scored column, in {@code [1, T)}
     * @param temperature the sampling temperature the log-probs are taken at (1 or 0: the raw logits)
     * @param entropy whether to compute each position's entropy (detached, for statistics)
     */
    public static TokenStats of(CausalLM model, NDArray ids, NDArray mask, int start, double temperature,
            boolean entropy) {
        long width = ids.getShape().get(1);
        if (start < 1 || start >= width) {
            throw new IllegalArgumentException("first scored column " + start + " must be in [1, " + width + ")");
        }
        NDArray hidden = model.hiddenStates(ids, mask);
        NDArray source = hidden != null ? hidden : model.forward(ids, mask, null);
        try {
            NDArray positions = source.get(new NDIndex(":, {}:{}, :", start - 1, width - 1));
            NDArray targets = ids.get(new NDIndex(":, {}:", start));
            if (hidden != null && model.recomputesHeadInBackward()) {
                return RecomputedHead.forward(model, positions, targets, temperature, entropy, CHUNK_ELEMENTS);
            }
            return hidden != null
                    ? selective(model::logits, model.config().vocabSize(), positions, targets, temperature, entropy)
                    : selective(null, source.getShape().get(2), positions, targets, temperature, entropy);
        } finally {
            source.close(); // the graph keeps what backward needs; the handle is ours to drop
        }
    }

    /** The same from precomputed logits {@code [B, T, V]}: {@code [B, T-1]} log p(ids[t+1] | ids[..t]). */
    public static NDArray fromLogits(NDArray logits, NDArray ids) {
        long width = ids.getShape().get(1);
        return selective(null, logits.getShape().get(2), logits.get(new NDIndex(":, :{}, :", width - 1)),
                ids.get(new NDIndex(":, 1:")), 1.0, false).logProbs();
    }

    /**
     * Selective log-softmax over the sequence axis in chunks. {@code positions} is {@code [B, L, ·]}: logits when
     * {@code head} is null, else hidden states that {@code head} turns into {@code vocab} logits; {@code targets}
     * int64 {@code [B, L]}. Results live in {@code positions}' manager.
     */
    static TokenStats selective(UnaryOperator<NDArray> head, long vocab, NDArray positions, NDArray targets,
            double temperature, boolean entropy) {
        return selective(head, vocab, positions, targets, temperature, entropy, CHUNK_ELEMENTS);
    }

    /** {@link #selective} with chunks of at most {@code chunkElements} logits (at least one position). */
    static TokenStats selective(UnaryOperator<NDArray> head, long vocab, NDArray positions, NDArray targets,
            double temperature, boolean entropy, long chunkElements) {
        long b = positions.getShape().get(0);
        long len = positions.getShape().get(1);
        long chunk = chunkLength(b, len, vocab, chunkElements);
        NDManager out = positions.getManager();
        NDList lps = new NDList();
        NDList ents = new NDList();
        for (long s = 0; s < len; s += chunk) {
            long e = Math.min(len, s + chunk);
            try (NDManager cm = out.newSubManager()) {
                NDArray part = positions.get(new NDIndex(":, {}:{}, :", s, e));
                part.attach(cm);
                NDArray logits = head == null ? part : head.apply(part);
                if (temperature > 0 && temperature != 1) logits = Scalars.div(logits, temperature); // not div(Number): autograd keeps it
                NDArray logp = logits.logSoftmax(-1);
                NDArray tgt = targets.get(new NDIndex(":, {}:{}", s, e)).expandDims(-1);
                tgt.attach(cm);
                NDArray chosen = logp.gather(tgt, 2).squeeze(2);
                chosen.attach(out);
                lps.add(chosen);
                if (entropy) {
                    NDArray lp = logp.stopGradient();
                    lp.attach(cm);
                    NDArray ent = lp.exp().mul(lp).sum(new int[] {2}).neg();
                    ent.attach(out);
                    ents.add(ent);
                }
            }
        }
        return new TokenStats(concat(lps, out), entropy ? concat(ents, out) : null);
    }

    /** Positions per chunk so that one chunk's {@code [b, chunk, vocab]} logits stay under {@code chunkElements}. */
    static long chunkLength(long b, long len, long vocab, long chunkElements) {
        return Math.max(1, Math.min(len, chunkElements / Math.max(1, b * vocab)));
    }

    private static NDArray concat(NDList parts, NDManager out) {
        if (parts.size() == 1) return parts.get(0);
        NDArray all = NDArrays.concat(parts, 1);
        all.attach(out);
        parts.close();
        return all;
    }
}

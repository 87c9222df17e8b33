package dev.r1j.core.grpo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.r1j.core.Djl;
import dev.r1j.core.model.CausalLM;
import dev.r1j.core.model.LogProbs;

/**
 * Log-probs (and optionally entropies) of the completion tokens of a batch laid out as
 * {@code [left-padded prompt | right-padded completion]}: columns {@code [P, P + C)} of {@code ids} hold the
 * completions, and the logits at column {@code t - 1} score the token at {@code t}. The log-probs are those of
 * {@code softmax(logits / temperature)}, the distribution the sampler drew from (TRL and veRL divide by the
 * temperature too), computed by {@link LogProbs}' chunked selective log-softmax over the completion columns only.
 *
 * <pre>{@code
 * CompletionLogProbs.Result r = CompletionLogProbs.compute(model, ids, attention, promptWidth, 0.7, true);
 * NDArray logp = r.logProbs();     // [B, C], differentiable when computed under a gradient collector
 * NDArray old = CompletionLogProbs.constant(model, ids, attention, promptWidth, 0.7, manager);  // no graph
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
     * @param temperature the sampling temperature (0, greedy, and 1 use the raw logits)
     */
    public static Result compute(CausalLM model, NDArray ids, NDArray attention, int promptWidth, double temperature,
            boolean entropy) {
        long width = ids.getShape().get(1);
        if (promptWidth < 1 || promptWidth >= width) {
            throw new IllegalArgumentException("prompt width " + promptWidth + " must be in [1, " + width + ")");
        }
        LogProbs.TokenStats s = LogProbs.of(model, ids, attention, promptWidth, temperature, entropy);
        return new Result(s.logProbs(), s.entropy());
    }

    /**
     * The completion log-probs as constants (old-policy and reference passes): computed with autograd off, so no
     * graph is recorded on any thread, in a scratch manager closed before returning; the result is owned by
     * {@code into}.
     */
    public static NDArray constant(CausalLM model, NDArray ids, NDArray attention, int promptWidth,
            double temperature, NDManager into) {
        return Djl.withoutGradients(() -> {
            try (NDManager scratch = into.newSubManager()) {
                NDArray i = ids.duplicate();
                i.attach(scratch);
                NDArray a = attention.duplicate();
                a.attach(scratch);
                NDArray lp = compute(model, i, a, promptWidth, temperature, false).logProbs();
                lp.attach(into);
                return lp;
            }
        });
    }
}

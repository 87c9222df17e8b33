package dev.r1j.core.grpo;

/**
 * The denominators of the loss, counted over the <em>whole</em> optimizer batch. With gradient accumulation each
 * micro-batch is normalised by the whole batch's token and sequence counts, so that the accumulated gradient equals
 * that of one big batch for every loss type.
 *
 * <pre>{@code
 * LossNormalizer whole = new LossNormalizer(totalMaskedTokens, totalSequences);
 * }</pre>
 */
public record LossNormalizer(double tokens, int sequences) {
    public LossNormalizer {
        if (!(tokens >= 0) || Double.isInfinite(tokens)) {
            throw new IllegalArgumentException("token count must be finite and >= 0, got " + tokens);
        }
        if (sequences < 1) throw new IllegalArgumentException("sequence count must be >= 1, got " + sequences);
    }
}

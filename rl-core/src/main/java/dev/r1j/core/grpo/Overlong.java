package dev.r1j.core.grpo;

import dev.r1j.core.sampling.FinishReason;
import dev.r1j.verifiers.reward.OverlongPenaltyVerifier;

/**
 * DAPO's overlong handling (Yu et al. 2025): a completion cut at {@code max_new_tokens} can be masked out of the loss
 * (its reward says nothing about the answer it never finished), and/or its reward can be lowered by a soft penalty
 * that grows linearly over the last {@code cacheLength} tokens before the maximum length.
 *
 * <pre>{@code
 * double r = reward + Overlong.softPenalty(len, 64, 16, 1.0);   // 0 up to 48 tokens, -1 at 64
 * }</pre>
 */
public final class Overlong {
    private Overlong() {}

    /** Whether the completion takes part in the loss when {@code mask_truncated_completions} is on. */
    public static boolean keepInLoss(FinishReason reason, boolean maskTruncated) {
        return !(maskTruncated && reason == FinishReason.LENGTH);
    }

    /**
     * The (non-positive) soft overlong penalty: 0 for {@code length <= maxLength - cacheLength},
     * {@code factor * ((maxLength - cacheLength) - length) / cacheLength} inside the cache window, and
     * {@code -factor} beyond {@code maxLength}. A {@code cacheLength} of 0 disables it (the trainer's
     * {@code overlong_buffer: 0} means "off", whereas the {@code overlong} verifier reads a zero buffer as a hard
     * penalty beyond the maximum); otherwise the formula is the verifier's {@link OverlongPenaltyVerifier#softPenalty}.
     */
    public static double softPenalty(int length, int maxLength, int cacheLength, double factor) {
        if (length < 0 || maxLength < 1 || cacheLength < 0 || cacheLength > maxLength || !(factor >= 0)) {
            throw new IllegalArgumentException(String.format(
                    "bad overlong penalty arguments: length=%d max_length=%d overlong_buffer=%d factor=%s",
                    length, maxLength, cacheLength, factor));
        }
        if (cacheLength == 0) return 0.0;
        return OverlongPenaltyVerifier.softPenalty(length, maxLength, cacheLength, factor);
    }
}

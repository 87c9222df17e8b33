package dev.r1j.verifiers.reward;

import dev.r1j.verifiers.Sample;
import dev.r1j.verifiers.Verdict;
import dev.r1j.verifiers.Verifier;
import java.util.Locale;
import java.util.Map;

/**
 * DAPO's soft overlong punishment (Yu et al. 2025, eq. 13): with {@code L} the completion length (tokens when the
 * reference carries {@link CompletionLength#TOKENS_KEY}, else characters), {@code Lmax = maxLength} and
 * {@code Lc = buffer},
 * <pre>
 *   reward = 0                              if L ≤ Lmax − Lc
 *          = penalty · ((Lmax − Lc) − L) / Lc  if Lmax − Lc &lt; L ≤ Lmax
 *          = −penalty                       if L &gt; Lmax
 * </pre>
 * Add it to the correctness reward (weight 1 in a composite) so that a model learns to finish before the cut.
 * {@code maxLength} should be the sampler's {@code max_new_tokens}; note that a completion cut exactly at the limit
 * has {@code L = Lmax} and gets {@code −penalty}.
 *
 * <pre>{@code
 * Verifier v = new OverlongPenaltyVerifier(100, 20, 1.0);
 * v.verify(new Sample("", "…", Map.of("completion_tokens", 90))).reward();   // (80 − 90) / 20 = -0.5
 * }</pre>
 */
public final class OverlongPenaltyVerifier implements Verifier {
    private final int maxLength;
    private final int buffer;
    private final double penalty;

    /** @param buffer the width of the linear ramp, in [0, maxLength] (0: a hard −penalty beyond maxLength only) */
    public OverlongPenaltyVerifier(int maxLength, int buffer, double penalty) {
        if (maxLength < 1 || buffer < 0 || buffer > maxLength || !(penalty >= 0)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "verifier 'overlong': expected max_length >= 1, "
                    + "0 <= buffer <= max_length and penalty >= 0, got max_length=%d buffer=%d penalty=%s",
                    maxLength, buffer, penalty));
        }
        this.maxLength = maxLength;
        this.buffer = buffer;
        this.penalty = penalty;
    }

    @Override
    public String name() {
        return "overlong";
    }

    /**
     * DAPO's soft punishment of a completion of {@code length}, as a function for callers that hold the numbers
     * (a trainer applying it without a verifier). With {@code buffer = 0} it is a hard {@code −penalty} beyond
     * {@code maxLength} (rl-core's {@code Overlong.softPenalty} calls this one but treats a zero cache length as "off" instead).
     */
    public static double softPenalty(int length, int maxLength, int buffer, double penalty) {
        int expected = maxLength - buffer;
        if (length <= expected) {
            return 0.0;
        }
        if (length > maxLength || buffer == 0) {
            return -penalty;
        }
        return penalty * (expected - length) / buffer;
    }

    @Override
    public Verdict verify(Sample sample) {
        CompletionLength.Length len;
        try {
            len = CompletionLength.of(sample);
        } catch (IllegalArgumentException e) {
            return Verdict.error(e.getMessage());
        }
        double r = softPenalty(len.value(), maxLength, buffer, penalty);
        String reason = r == 0 ? len.value() + " " + len.unit() + " ≤ " + (maxLength - buffer)
                : String.format(Locale.ROOT, "%d %s in the overlong buffer (%d..%d)", len.value(), len.unit(),
                        maxLength - buffer, maxLength);
        return new Verdict(r == 0 ? 0.0 : r, reason, Map.of("length", len.value(), "length_unit", len.unit()));
    }
}

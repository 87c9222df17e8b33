package dev.r1j.verifiers.reward;

import dev.r1j.verifiers.Sample;
import java.util.HashMap;
import java.util.Map;

/**
 * The length of a sample's completion as the length-based rewards see it: the token count when the caller put one in
 * the reference under {@link #TOKENS_KEY} (the trainer knows it exactly), else the number of Unicode code points of
 * the completion text. Length rewards are specified in tokens in the papers, so a trainer should pass the count;
 * the character fallback keeps {@code recipe verify} on plain text files usable.
 *
 * <pre>{@code
 * Sample s = new Sample("", "abc", Map.of(CompletionLength.TOKENS_KEY, 7));
 * CompletionLength.of(s);   // Length[value=7, unit=tokens]
 * }</pre>
 */
public final class CompletionLength {
    /** Reference key of the completion's token count (an integer). */
    public static final String TOKENS_KEY = "completion_tokens";

    /** A length and its unit ({@code tokens} or {@code chars}). */
    public record Length(int value, String unit) {}

    private CompletionLength() {}

    /**
     * The sample of {@code completion} for {@code prompt} with the row's {@code reference} fields plus the
     * completion's token count under {@link #TOKENS_KEY} (what a trainer or evaluator hands its verifiers).
     */
    public static Sample sampleWithTokens(String prompt, String completion, Map<String, Object> reference, int tokens) {
        Map<String, Object> ref = new HashMap<>(reference);
        ref.put(TOKENS_KEY, tokens);
        return new Sample(prompt, completion, ref);
    }

    /**
     * The completion's length.
     *
     * @throws IllegalArgumentException when {@link #TOKENS_KEY} is present but not a non-negative whole number
     */
    public static Length of(Sample sample) {
        Object t = sample.reference().get(TOKENS_KEY);
        if (t == null) {
            String c = sample.completion();
            return new Length(c.codePointCount(0, c.length()), "chars");
        }
        if (t instanceof Number n && n.doubleValue() >= 0 && n.doubleValue() == Math.rint(n.doubleValue())
                && n.doubleValue() <= Integer.MAX_VALUE) {
            return new Length(n.intValue(), "tokens");
        }
        throw new IllegalArgumentException("reference field '" + TOKENS_KEY + "' is " + t
                + ", expected a non-negative whole number of tokens");
    }
}

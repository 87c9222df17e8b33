package dev.r1j.verifiers.reward;

import dev.r1j.verifiers.Sample;

/**
 * The length of a sample's completion as the length-based rewards see it: the sample's token count
 * ({@link Sample#completionTokens()}, set by the trainers, the evaluator and the samplers' scoring, which know it
 * exactly); else the reference field {@link #TOKENS_KEY} (the documented way for a JSONL row given to
 * {@code recipe verify}, or a caller of the verifiers alone, to pass it); else the number of Unicode code points of
 * the completion text. Length rewards are specified in tokens in the papers; the character fallback keeps
 * {@code recipe verify} on plain text files usable.
 *
 * <pre>{@code
 * CompletionLength.of(new Sample("", "abc", Map.of(), 7));                              // Length[value=7, unit=tokens]
 * CompletionLength.of(new Sample("", "abc", Map.of(CompletionLength.TOKENS_KEY, 7)));   // the same, from the row
 * }</pre>
 */
public final class CompletionLength {
    /** Reference key of the completion's token count (an integer), read when the sample carries none. */
    public static final String TOKENS_KEY = "completion_tokens";

    /** A length and its unit ({@code tokens} or {@code chars}). */
    public record Length(int value, String unit) {}

    private CompletionLength() {}

    /**
     * The completion's length.
     *
     * @throws IllegalArgumentException when {@link #TOKENS_KEY} is read and is not a non-negative whole number
     */
    public static Length of(Sample sample) {
        if (sample.completionTokens() >= 0) return new Length(sample.completionTokens(), "tokens");
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

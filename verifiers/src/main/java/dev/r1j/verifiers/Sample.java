package dev.r1j.verifiers;

import java.util.Map;
import java.util.Objects;

/**
 * One completion to score, with the dataset row's reference fields ({@code answer} for math;
 * {@code tests}, {@code entry_point}, {@code language} for code) and, when the caller knows it, the completion's
 * token count ({@code completionTokens}, -1 when unknown), which length-based rewards count in.
 *
 * <pre>{@code
 * Sample s = new Sample("What is 2+3?", "<think>2+3=5</think><answer>5</answer>", Map.of("answer", "5"));
 * Sample t = new Sample("What is 2+3?", "<answer>5</answer>", Map.of("answer", "5"), 7);   // 7 tokens
 * }</pre>
 */
public record Sample(String prompt, String completion, Map<String, Object> reference, int completionTokens) {
    /** The token count of a sample whose caller does not know it. */
    public static final int UNKNOWN_TOKENS = -1;

    public Sample {
        prompt = prompt == null ? "" : prompt;
        Objects.requireNonNull(completion, "completion");
        reference = reference == null ? Map.of() : Map.copyOf(reference);
        if (completionTokens < UNKNOWN_TOKENS) {
            throw new IllegalArgumentException("completionTokens must be >= 0 (or -1 for unknown), got " + completionTokens);
        }
    }

    /** A sample whose token count is unknown (length rewards then count characters, see {@code CompletionLength}). */
    public Sample(String prompt, String completion, Map<String, Object> reference) {
        this(prompt, completion, reference, UNKNOWN_TOKENS);
    }

    /** The reference field as a string, or {@code null} when absent. */
    public String referenceString(String key) {
        Object v = reference.get(key);
        return v == null ? null : v.toString();
    }
}

package dev.r1j.verifiers;

import java.util.Map;
import java.util.Objects;

/**
 * One completion to score, with the dataset row's reference fields ({@code answer} for math;
 * {@code tests}, {@code entry_point}, {@code language} for code).
 *
 * <pre>{@code
 * Sample s = new Sample("What is 2+3?", "<think>2+3=5</think><answer>5</answer>", Map.of("answer", "5"));
 * }</pre>
 */
public record Sample(String prompt, String completion, Map<String, Object> reference) {
    public Sample {
        prompt = prompt == null ? "" : prompt;
        Objects.requireNonNull(completion, "completion");
        reference = reference == null ? Map.of() : Map.copyOf(reference);
    }

    /** The reference field as a string, or {@code null} when absent. */
    public String referenceString(String key) {
        Object v = reference.get(key);
        return v == null ? null : v.toString();
    }
}

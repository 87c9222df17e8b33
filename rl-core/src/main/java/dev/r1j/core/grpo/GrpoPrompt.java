package dev.r1j.core.grpo;

import java.util.Map;
import java.util.Objects;

/**
 * One training prompt with the dataset row's reference fields that the verifier checks against ({@code answer},
 * {@code tests}, ...).
 *
 * <pre>{@code
 * GrpoPrompt p = new GrpoPrompt("12+7=", Map.of("answer", "19"));
 * }</pre>
 */
public record GrpoPrompt(String prompt, Map<String, Object> reference) {
    public GrpoPrompt {
        Objects.requireNonNull(prompt, "prompt");
        reference = reference == null ? Map.of() : Map.copyOf(reference);
    }
}

package dev.r1j.core.sampling;

import java.util.Map;
import java.util.Objects;

/**
 * One prompt to sample from, with the dataset row's reference fields that the verifiers check against
 * ({@code answer}, {@code tests}, ...): what GRPO, evaluation, rejection sampling and DPO's online pairs sample and
 * score ({@link SampleAndScore}). A chat row is rendered to its prompt text before it becomes one.
 *
 * <pre>{@code
 * Prompt p = new Prompt("12+7=", Map.of("answer", "19"));
 * }</pre>
 */
public record Prompt(String prompt, Map<String, Object> reference) {
    public Prompt {
        Objects.requireNonNull(prompt, "prompt");
        reference = reference == null ? Map.of() : Map.copyOf(reference);
    }
}

package dev.r1j.core.data;

import java.util.List;
import java.util.Map;

/**
 * One dataset row ready for training: a prompt (plain text) or chat {@code messages}, an optional reference
 * {@code completion} (SFT), and the reference fields handed to verifiers ({@code answer}, {@code tests}, ...).
 *
 * @param prompt     the prompt text after the template, or {@code null} when the row has {@code messages}
 * @param messages   chat messages (each with {@code role} and {@code content}), or {@code null}
 * @param completion the target completion for SFT, or {@code null}
 * @param reference  the verifier's reference fields (e.g. {@code answer} normalised from GSM8K's {@code #### N})
 * @param source     {@code file:line}, for messages about this row
 */
public record PromptExample(String prompt, List<Map<String, String>> messages, String completion,
                            Map<String, Object> reference, String source) {
    public PromptExample {
        if ((prompt == null) == (messages == null)) {
            throw new IllegalArgumentException(source + ": exactly one of prompt and messages must be given");
        }
        messages = messages == null ? null : List.copyOf(messages);
        reference = reference == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(reference));
    }

    /** The reference answer as a string, or {@code null}. */
    public String answer() {
        Object a = reference.get("answer");
        return a == null ? null : a.toString();
    }
}

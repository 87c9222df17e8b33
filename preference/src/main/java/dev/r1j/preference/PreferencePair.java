package dev.r1j.preference;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One preference: for the prompt, the completion {@code chosen} is preferred over {@code rejected}. The prompt is
 * plain text ({@code prompt}) or a conversation ({@code messages}, rendered with the tokenizer's chat template, the
 * completions then being the assistant's reply); exactly one of the two is given.
 *
 * <pre>{@code
 * PreferencePair p = new PreferencePair("12+7=", "<answer>19</answer>", "<answer>18</answer>");
 * PreferencePair c = PreferencePair.chat(List.of(Map.of("role", "user", "content", "12+7?")), "19", "18");
 * }</pre>
 */
public record PreferencePair(String prompt, List<Map<String, String>> messages, String chosen, String rejected) {
    public PreferencePair {
        if ((prompt == null) == (messages == null)) {
            throw new IllegalArgumentException("a pair needs exactly one of a prompt text and prompt messages");
        }
        messages = messages == null ? null : List.copyOf(messages);
        Objects.requireNonNull(chosen, "chosen");
        Objects.requireNonNull(rejected, "rejected");
    }

    /** A pair with a plain-text prompt. */
    public PreferencePair(String prompt, String chosen, String rejected) {
        this(prompt, null, chosen, rejected);
    }

    /** A pair whose prompt is a conversation. */
    public static PreferencePair chat(List<Map<String, String>> messages, String chosen, String rejected) {
        return new PreferencePair(null, messages, chosen, rejected);
    }
}

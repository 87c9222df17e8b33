package dev.r1j.preference;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One preference: for the prompt, the completion {@code chosen} is preferred over {@code rejected}. The prompt is
 * plain text ({@code prompt}) or a conversation ({@code messages}, rendered with the tokenizer's chat template, the
 * completions then being the assistant's reply); exactly one of the two is given. {@code source} says where the pair
 * came from ({@code file:line}, or null), for error messages.
 *
 * <pre>{@code
 * PreferencePair p = new PreferencePair("12+7=", "<answer>19</answer>", "<answer>18</answer>");
 * PreferencePair c = PreferencePair.chat(List.of(Map.of("role", "user", "content", "12+7?")), "19", "18");
 * }</pre>
 */
public record PreferencePair(String prompt, List<Map<String, String>> messages, String chosen, String rejected,
                             String source) {
    public PreferencePair {
        if ((prompt == null) == (messages == null)) {
            throw new IllegalArgumentException("a pair needs exactly one of a prompt text and prompt messages");
        }
        messages = messages == null ? null : List.copyOf(messages);
        Objects.requireNonNull(chosen, "chosen");
        Objects.requireNonNull(rejected, "rejected");
    }

    /** A pair of unrecorded origin. */
    public PreferencePair(String prompt, List<Map<String, String>> messages, String chosen, String rejected) {
        this(prompt, messages, chosen, rejected, null);
    }

    /** A pair with a plain-text prompt. */
    public PreferencePair(String prompt, String chosen, String rejected) {
        this(prompt, null, chosen, rejected);
    }

    /** This pair, recorded as coming from {@code source} ({@code file:line}). */
    public PreferencePair from(String source) {
        return new PreferencePair(prompt, messages, chosen, rejected, source);
    }

    /** A pair whose prompt is a conversation. */
    public static PreferencePair chat(List<Map<String, String>> messages, String chosen, String rejected) {
        return new PreferencePair(null, messages, chosen, rejected);
    }
}

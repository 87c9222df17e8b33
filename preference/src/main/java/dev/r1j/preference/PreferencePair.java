package dev.r1j.preference;

import java.util.Objects;

/**
 * One preference: for {@code prompt}, the completion {@code chosen} is preferred over {@code rejected}.
 *
 * <pre>{@code
 * PreferencePair p = new PreferencePair("12+7=", "<answer>19</answer>", "<answer>18</answer>");
 * }</pre>
 */
public record PreferencePair(String prompt, String chosen, String rejected) {
    public PreferencePair {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(chosen, "chosen");
        Objects.requireNonNull(rejected, "rejected");
    }
}

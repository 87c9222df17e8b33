package dev.r1j.preference;

import java.util.List;
import java.util.Objects;

/**
 * A prompt with completions and the verifier's reward for each (e.g. a GRPO or rejection-sampling group).
 *
 * <pre>{@code
 * ScoredGroup g = new ScoredGroup("12+7=", List.of(new ScoredGroup.Scored("19", 1.0), new ScoredGroup.Scored("18", 0.0)));
 * }</pre>
 */
public record ScoredGroup(String prompt, List<Scored> completions) {
    /** One completion's text and reward. */
    public record Scored(String text, double reward) {
        public Scored {
            Objects.requireNonNull(text, "text");
            if (Double.isNaN(reward)) throw new IllegalArgumentException("reward is NaN for completion: " + text);
        }
    }

    public ScoredGroup {
        Objects.requireNonNull(prompt, "prompt");
        completions = List.copyOf(completions);
    }
}

package dev.r1j.verifiers;

import java.util.Map;

/**
 * The outcome of verifying one sample: a reward, a short human-readable reason, and optional details
 * (extracted answer, tests passed, …) that end up in {@code completions.jsonl}.
 *
 * <pre>{@code
 * Verdict v = Verdict.of(1.0, "correct");
 * }</pre>
 */
public record Verdict(double reward, String reason, Map<String, Object> details) {
    public Verdict {
        if (Double.isNaN(reward)) {
            throw new IllegalArgumentException("reward is NaN (reason: " + reason + ")");
        }
        reason = reason == null ? "" : reason;
        details = details == null ? Map.of() : Map.copyOf(details);
    }

    public static Verdict of(double reward, String reason) {
        return new Verdict(reward, reason, Map.of());
    }

    /** A verdict for a verifier-side failure: reward 0, never a pass. */
    public static Verdict error(String reason) {
        return new Verdict(0.0, "error: " + reason, Map.of("error", true));
    }
}

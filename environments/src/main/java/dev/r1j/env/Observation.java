package dev.r1j.env;

import java.util.Objects;

/**
 * An environment's answer to one call: the tool's output text (raw: the {@link ToolRunner} bounds it and wraps it in
 * the call format's observation), whether it is an error, a reward added to the episode's, and whether the episode
 * ends after it.
 *
 * <pre>{@code
 * Observation ok = Observation.of("3995");
 * Observation bad = Observation.error("division by zero");
 * }</pre>
 */
public record Observation(String text, Status status, double reward, boolean done) {
    /** How the call went. */
    public enum Status { OK, ERROR, TIMEOUT }

    public Observation {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(status, "status");
        if (!Double.isFinite(reward)) throw new IllegalArgumentException("observation reward must be finite, got " + reward);
    }

    public static Observation of(String text) {
        return new Observation(text, Status.OK, 0, false);
    }

    /** An error the model sees as {@code Error: message}. */
    public static Observation error(String message) {
        return new Observation("Error: " + message, Status.ERROR, 0, false);
    }

    public boolean isError() {
        return status != Status.OK;
    }
}

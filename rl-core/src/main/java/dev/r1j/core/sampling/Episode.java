package dev.r1j.core.sampling;

/**
 * What a multi-turn completion went through: which of its tokens the environment supplied (observations: tool
 * outputs, never trained on), how many model turns and tool calls it took, how many calls failed or timed out, and
 * the reward the environment added. A single-turn completion has none ({@link Completion#episode()} is null).
 *
 * <pre>{@code
 * Episode e = completion.episode();
 * if (e != null && e.toolCalls() > 0) System.out.println(e.turns() + " turns, " + e.toolErrors() + " errors");
 * }</pre>
 *
 * @param observation {@code observation[i]} is true when token {@code i} of the completion came from the environment
 */
public record Episode(boolean[] observation, int turns, int toolCalls, int toolErrors, int toolTimeouts, double reward) {
    public Episode {
        if (turns < 1 || toolCalls < 0 || toolErrors < 0 || toolTimeouts < 0) {
            throw new IllegalArgumentException("episode counts out of range: " + turns + " turns, " + toolCalls
                    + " calls, " + toolErrors + " errors, " + toolTimeouts + " timeouts");
        }
        if (!Double.isFinite(reward)) throw new IllegalArgumentException("episode reward must be finite, got " + reward);
    }

    /** Whether token {@code i} is one the model generated (not an observation). */
    public boolean modelToken(int i) {
        return !observation[i];
    }

    /** Number of observation tokens. */
    public int observationTokens() {
        int n = 0;
        for (boolean b : observation) if (b) n++;
        return n;
    }
}

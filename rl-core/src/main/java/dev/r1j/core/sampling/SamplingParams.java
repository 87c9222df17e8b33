package dev.r1j.core.sampling;

import java.util.List;

/**
 * How to sample: {@code temperature} 0 means greedy; {@code topP} 1 and {@code topK} 0 disable those filters.
 *
 * <pre>{@code
 * SamplingParams p = new SamplingParams(8, 64, 1.0, 1.0, 0, List.of("\n\n"), 42L);
 * }</pre>
 */
public record SamplingParams(
        int groupSize, int maxNewTokens, double temperature, double topP, int topK, List<String> stop, long seed) {
    public SamplingParams {
        if (groupSize < 1) throw new IllegalArgumentException("group_size must be >= 1, got " + groupSize);
        if (maxNewTokens < 1) throw new IllegalArgumentException("max_new_tokens must be >= 1, got " + maxNewTokens);
        if (!(temperature >= 0)) throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        if (topK < 0) throw new IllegalArgumentException("top_k must be >= 0, got " + topK);
        stop = stop == null ? List.of() : List.copyOf(stop);
    }

    public static SamplingParams greedy(int maxNewTokens) {
        return new SamplingParams(1, maxNewTokens, 0.0, 1.0, 0, List.of(), 0L);
    }
}

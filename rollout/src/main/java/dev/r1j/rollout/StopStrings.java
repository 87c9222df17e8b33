package dev.r1j.rollout;

import java.util.List;

/**
 * Finds the earliest stop string in decoded completion text. The text is searched as a whole (not token by token)
 * because a stop string may span tokens, and a tokenizer may change the decoding of a tail once more bytes arrive.
 *
 * <pre>{@code
 * StopStrings stops = new StopStrings(List.of("\n\n", "</answer>"));
 * int cut = stops.find("x = 3</answer> more");   // 5
 * }</pre>
 */
public final class StopStrings {
    private final List<String> stops;

    public StopStrings(List<String> stops) {
        for (String s : stops) {
            if (s == null || s.isEmpty()) throw new IllegalArgumentException("stop strings must be non-empty, got " + stops);
        }
        this.stops = List.copyOf(stops);
    }

    public boolean isEmpty() {
        return stops.isEmpty();
    }

    /** Index of the earliest occurrence of any stop string in {@code text}, or -1. */
    public int find(String text) {
        int best = -1;
        for (String s : stops) {
            int i = text.indexOf(s);
            if (i >= 0 && (best < 0 || i < best)) best = i;
        }
        return best;
    }
}

package dev.r1j.recipes.config;

import dev.r1j.verifiers.EditDistance;
import java.util.Collection;
import java.util.Optional;

/**
 * Suggests the nearest valid name for a misspelt one, by edit distance with transpositions (optimal string
 * alignment), so {@code stpes} finds {@code steps}.
 *
 * <pre>{@code
 * DidYouMean.suggest("stpes", List.of("steps", "seed")).orElse(null);   // "steps"
 * DidYouMean.hint("stpes", List.of("steps"));                          // " (did you mean 'steps'?)"
 * }</pre>
 */
public final class DidYouMean {
    private DidYouMean() {}

    /** The closest candidate within a distance of max(2, length/3), ties broken by candidate order. */
    public static Optional<String> suggest(String given, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        String g = given.toLowerCase(java.util.Locale.ROOT);
        for (String c : candidates) {
            int d = distance(g, c.toLowerCase(java.util.Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        int limit = Math.max(2, given.length() / 3);
        return best != null && bestDistance <= limit ? Optional.of(best) : Optional.empty();
    }

    /** {@code " (did you mean 'x'?)"} or the empty string. */
    public static String hint(String given, Collection<String> candidates) {
        return suggest(given, candidates).map(s -> " (did you mean '" + s + "'?)").orElse("");
    }

    /** Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent swaps cost 1. */
    public static int distance(String a, String b) {
        return EditDistance.between(a, b);
    }
}

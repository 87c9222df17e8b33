package dev.r1j.options;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * Suggests the nearest valid name for a misspelt one, by edit distance with transpositions (optimal string
 * alignment, case-insensitive), so {@code stpes} finds {@code steps} and {@code maht} finds {@code math}. Every "did
 * you mean" of R1J goes through here: unknown recipe keys, stage, verifier and environment names.
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
        if (given == null || given.isEmpty()) {
            return Optional.empty();
        }
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        String g = given.toLowerCase(Locale.ROOT);
        for (String c : candidates) {
            int d = distance(g, c.toLowerCase(Locale.ROOT));
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
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1));
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}

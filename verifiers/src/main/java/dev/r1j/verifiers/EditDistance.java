package dev.r1j.verifiers;

/**
 * Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent transpositions each cost 1,
 * so a swapped pair of letters ({@code maht}) is one typo. It is what every "did you mean" of R1J ranks by: unknown
 * verifier names here, unknown recipe keys and stage names in {@code recipes}.
 *
 * <pre>{@code
 * EditDistance.between("stpes", "steps");   // 1
 * }</pre>
 */
public final class EditDistance {
    private EditDistance() {}

    public static int between(String a, String b) {
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

package dev.r1j.recipes.config;

/**
 * Where a recipe value came from: a line of a file, a {@code --set} override, or a default.
 *
 * <pre>{@code
 * new Location("r1-zero.yaml", 12).toString();   // "r1-zero.yaml line 12"
 * }</pre>
 */
public record Location(String source, int line) {
    /** A value given on the command line, e.g. {@code --set stages[0].grpo.steps=50}. */
    public static Location override(String setArgument) {
        return new Location("--set " + setArgument, 0);
    }

    @Override
    public String toString() {
        return line > 0 ? source + " line " + line : source;
    }
}

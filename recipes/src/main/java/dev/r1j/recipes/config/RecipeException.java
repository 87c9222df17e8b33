package dev.r1j.recipes.config;

/**
 * A mistake in a recipe, an override or an option, with a message that names where it is and what was expected,
 * e.g. {@code r1-zero.yaml line 12: stages[0].grpo: unknown key 'stpes' (did you mean 'steps'?)}.
 */
public class RecipeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RecipeException(String message) {
        super(message);
    }

    public RecipeException(String message, Throwable cause) {
        super(message, cause);
    }

    /** {@code "<location>: <path>: <message>"}, leaving out the path at the root. */
    public static RecipeException at(Location where, String path, String message) {
        return new RecipeException(where + ": " + (path.isEmpty() ? "" : path + ": ") + message);
    }
}

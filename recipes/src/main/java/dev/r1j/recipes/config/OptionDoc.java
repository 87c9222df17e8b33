package dev.r1j.recipes.config;

/**
 * One row of {@code recipe explain}: the key as written in a recipe ({@code clip.high}, {@code verifiers[].name}),
 * its type, its default ({@code required} when it has none), one line of help, and whether {@code null} may be given
 * (its default is null, or it is {@link dev.r1j.options.Nullable}).
 */
public record OptionDoc(String key, String type, String defaultValue, String help, boolean nullable) {
    public OptionDoc(String key, String type, String defaultValue, String help) {
        this(key, type, defaultValue, help, defaultValue.equals("null"));
    }
}

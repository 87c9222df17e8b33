package dev.r1j.verifiers;

/**
 * One option a {@link VerifierProvider} accepts, as {@code recipe explain verifiers} shows it.
 *
 * <pre>{@code
 * new VerifierOption("tolerance", "1e-6", "relative tolerance of numeric answers")
 * }</pre>
 *
 * @param key the option's name in a recipe
 * @param defaultValue the value used when the option is absent, as text
 * @param help one line saying what it does
 */
public record VerifierOption(String key, String defaultValue, String help) {}

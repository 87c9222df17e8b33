package dev.r1j.recipes.config;

/**
 * One row of {@code recipe explain}: the key as written in a recipe ({@code clip.high}, {@code verifiers[].name}),
 * its type, its default ({@code required} when it has none) and one line of help.
 */
public record OptionDoc(String key, String type, String defaultValue, String help) {}

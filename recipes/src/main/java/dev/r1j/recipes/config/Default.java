package dev.r1j.recipes.config;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The default of an option, written as YAML exactly as a user would write it in a recipe: {@code "8"},
 * {@code "0.2"}, {@code "dapo"}, {@code "[]"}, {@code "{low: 0.2, high: 0.28}"}, {@code "null"}.
 *
 * <p>A component without {@code @Default} is required, unless its type is a record whose components all have
 * defaults (then a missing key means "all defaults"). Defaults are merged under the recipe file, which is merged
 * under {@code --set} overrides; objects merge key by key, lists are replaced whole.
 *
 * <pre>{@code
 * record Clip(@Help("ε_low") @Default("0.2") double low, @Help("ε_high (DAPO)") @Default("0.28") double high) {}
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Default {
    String value();
}

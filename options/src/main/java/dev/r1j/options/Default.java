package dev.r1j.options;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The default of an option, written as YAML flow text exactly as a user would write it in a recipe: {@code "8"},
 * {@code "0.2"}, {@code "dapo"}, {@code "[]"}, {@code "{low: 0.2, high: 0.28}"}, {@code "null"}. It is the only
 * place the default is written: the library's builders ({@link OptionRecords}) and the recipe binder both read it.
 *
 * <p>A component without {@code @Default} is required, unless its type is a record whose components all have
 * defaults (then a missing key means "all defaults"). On a record component an object default is partial: its keys
 * override the record's own defaults, the rest keep theirs ({@code @Default("{learning_rate: 1e-6}")}). Only a
 * component whose default is {@code "null"} may be null.
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

package dev.r1j.options;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Another tool's name for the same thing.
 *
 * <ul>
 *   <li>On an option (a record component): a recipe that uses the other name is answered with this one
 *       ({@code TRL's num_generations is group_size here}) rather than a "did you mean" guess, and
 *       {@code recipe explain} shows the other name beside the help. The other name is not accepted silently: the
 *       two tools' knobs agree in meaning, not always in every detail, and the recipe should say R1J's.</li>
 *   <li>On an enum constant: a spelling accepted for that constant ({@code dpo} for {@code sigmoid}).</li>
 * </ul>
 *
 * <pre>{@code
 * @Help("completions per prompt, G") @Default("8") @Alias(value = "num_generations", source = "TRL") int groupSize
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD})
@Repeatable(Aliases.class)
public @interface Alias {
    /** The other names. */
    String[] value();

    /** Whose names they are, e.g. {@code TRL} or {@code veRL}; empty for plain synonyms. */
    String source() default "";
}

package dev.r1j.recipes.config;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * One line of help for an option (a record component of a stage's options record), printed by
 * {@code recipe explain STAGE}. Name the paper an option comes from when it has one.
 *
 * <pre>{@code
 * public record GrpoOptions(
 *     @Help("completions sampled per prompt, G (DeepSeekMath, arXiv:2402.03300)") @Default("8") int groupSize) {}
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Help {
    String value();
}

package dev.r1j.options;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * One line of help for an option (a component of a config record), printed by {@code recipe explain}. Name the
 * paper an option comes from when it has one, and the TRL name when TRL has the same knob ({@link Alias} adds it).
 *
 * <pre>{@code
 * public record GrpoConfig(
 *     @Help("completions sampled per prompt, G (DeepSeekMath GRPO, Shao et al. 2024)") @Default("8") int groupSize) {}
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Help {
    String value();
}

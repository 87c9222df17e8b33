package dev.r1j.options;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A record component whose own options are written at the level of the record that holds it, with no key of its
 * own (like Jackson's {@code @JsonUnwrapped}). It lets a shared block, such as the optimizer's, be declared once and
 * still read as flat keys in a recipe: {@code learning_rate: 3e-4} rather than {@code optimizer: {learning_rate: ...}}.
 * A {@link Default} object on the component overrides some of the block's defaults for this holder.
 *
 * <pre>{@code
 * public record GrpoConfig(
 *     @Help("...") @Default("8") int groupSize,
 *     @Inline @Default("{learning_rate: 1e-6}") OptimizerConfig optimizer) {}
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Inline {}

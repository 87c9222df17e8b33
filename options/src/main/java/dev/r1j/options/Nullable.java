package dev.r1j.options;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * {@code null} is a meaningful value of this option even though its default is not null (say what it means in the
 * {@link Help}: {@code "...; null: none"}). Without it, an explicit {@code null} is refused as a type error naming the
 * key, since a null that reached a trainer would only fail later, far from the recipe line.
 *
 * <pre>{@code
 * @Help("format check a kept completion must pass; null: none") @Default("format") @Nullable VerifierSpec format
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Nullable {}

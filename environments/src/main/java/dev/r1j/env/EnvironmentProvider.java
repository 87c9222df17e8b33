package dev.r1j.env;

/**
 * Makes configured environments of one kind. Found by {@link java.util.ServiceLoader}: a plugin jar lists its
 * providers in {@code META-INF/services/dev.r1j.env.EnvironmentProvider} (see the module README).
 *
 * <pre>{@code
 * public final class DiceProvider implements EnvironmentProvider {
 *     public String name() { return "dice"; }
 *     public Environment create(EnvironmentConfig config) { return new DiceEnvironment(config.options()); }
 * }
 * }</pre>
 */
public interface EnvironmentProvider {
    /** The name recipes use ({@code environment: {name: ...}}), unique across the classpath. */
    String name();

    /** One line of help for error messages and docs. */
    default String description() {
        return "";
    }

    /**
     * Builds an environment for a recipe's {@code environment} block; a bad entry of {@code config.options()} is an
     * {@link IllegalArgumentException} naming it.
     */
    Environment create(EnvironmentConfig config);
}

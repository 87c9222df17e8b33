package dev.r1j.env;

import dev.r1j.options.NamedProviders;
import java.util.List;

/**
 * The environments available on the classpath, by name. Providers are discovered with {@link ServiceLoader} from
 * {@code META-INF/services/dev.r1j.env.EnvironmentProvider}; a plugin jar on the classpath is all it takes to add
 * one (the same mechanism as {@link dev.r1j.verifiers.VerifierRegistry}).
 *
 * <pre>{@code
 * EnvironmentRegistry reg = EnvironmentRegistry.defaultRegistry();
 * List<String> known = reg.names();                                  // [calculator, python, ...]
 * Environment python = reg.create(EnvironmentConfig.of("python"));
 * }</pre>
 */
public final class EnvironmentRegistry {
    private final NamedProviders<EnvironmentProvider> providers;

    private EnvironmentRegistry(NamedProviders<EnvironmentProvider> providers) {
        this.providers = providers;
    }

    /** The providers visible to the thread's context classloader (else this class's loader). */
    public static EnvironmentRegistry defaultRegistry() {
        return load(NamedProviders.pluginLoader(EnvironmentRegistry.class));
    }

    /** The providers visible to {@code classLoader}. */
    public static EnvironmentRegistry load(ClassLoader classLoader) {
        return new EnvironmentRegistry(
                NamedProviders.load("environment", EnvironmentProvider.class, EnvironmentProvider::name, classLoader));
    }

    /** A registry over explicit providers; two with one name are an error naming both classes. */
    public static EnvironmentRegistry of(List<? extends EnvironmentProvider> providerList) {
        return new EnvironmentRegistry(NamedProviders.of("environment", providerList, EnvironmentProvider::name));
    }

    /** The known names, sorted. */
    public List<String> names() {
        return providers.names();
    }

    public boolean contains(String name) {
        return providers.contains(name);
    }

    /** The provider of that name; an unknown name is an {@link IllegalArgumentException} listing the known ones. */
    public EnvironmentProvider provider(String name) {
        return providers.get(name);
    }

    /** Builds the environment {@code config.name()} names. */
    public Environment create(EnvironmentConfig config) {
        return provider(config.name()).create(config);
    }
}

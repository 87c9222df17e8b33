package dev.r1j.verifiers;

import dev.r1j.options.NamedProviders;
import java.util.List;
import java.util.Map;

/**
 * The verifiers available on the classpath, by name. Providers are discovered with {@link ServiceLoader}
 * from {@code META-INF/services/dev.r1j.verifiers.VerifierProvider}; a plugin jar on the classpath is all
 * it takes to add one.
 *
 * <pre>{@code
 * VerifierRegistry reg = VerifierRegistry.defaultRegistry();
 * List<String> known = reg.names();                       // e.g. [format, math]
 * Verifier math = reg.create("math", Map.of());
 * }</pre>
 */
public final class VerifierRegistry {
    private final NamedProviders<VerifierProvider> providers;

    private VerifierRegistry(NamedProviders<VerifierProvider> providers) {
        this.providers = providers;
    }

    /**
     * The providers visible to the current thread's context classloader (falling back to this class's
     * loader), so that plugins loaded by an application classloader are found too. Not cached: the set
     * depends on the classloader, and loading is cheap compared with building a verifier.
     */
    public static VerifierRegistry defaultRegistry() {
        return load(NamedProviders.pluginLoader(VerifierRegistry.class));
    }

    /** The providers visible to {@code classLoader}. */
    public static VerifierRegistry load(ClassLoader classLoader) {
        return new VerifierRegistry(
                NamedProviders.load("verifier", VerifierProvider.class, VerifierProvider::name, classLoader));
    }

    /**
     * A registry over explicit providers (tests, embedding). Two providers with the same name are an
     * error naming both classes: silently picking one would make a recipe's meaning depend on classpath order.
     */
    public static VerifierRegistry of(List<? extends VerifierProvider> providerList) {
        return new VerifierRegistry(NamedProviders.of("verifier", providerList, VerifierProvider::name));
    }

    /** The known verifier names, sorted. */
    public List<String> names() {
        return providers.names();
    }

    /** Whether a provider of that name is present. */
    public boolean contains(String name) {
        return providers.contains(name);
    }

    /** The provider of that name; an unknown name is an {@link IllegalArgumentException} listing the known ones. */
    public VerifierProvider provider(String name) {
        return providers.get(name);
    }

    /**
     * Builds the verifier {@code name} with {@code options} (may be null or empty for the defaults).
     *
     * @throws IllegalArgumentException for an unknown name (the message lists the known names and suggests
     *     a close one) or for a bad option (the provider's message names it)
     */
    public Verifier create(String name, Map<String, Object> options) {
        VerifierProvider p = provider(name);
        return p.create(options == null ? Map.of() : options);
    }
}

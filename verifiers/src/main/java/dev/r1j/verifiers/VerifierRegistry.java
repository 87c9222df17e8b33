package dev.r1j.verifiers;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;

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
    private final Map<String, VerifierProvider> providers; // sorted by name, unmodifiable

    private VerifierRegistry(Map<String, VerifierProvider> providers) {
        this.providers = Collections.unmodifiableMap(providers);
    }

    /**
     * The providers visible to the current thread's context classloader (falling back to this class's
     * loader), so that plugins loaded by an application classloader are found too. Not cached: the set
     * depends on the classloader, and loading is cheap compared with building a verifier.
     */
    public static VerifierRegistry defaultRegistry() {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        return load(cl != null ? cl : VerifierRegistry.class.getClassLoader());
    }

    /** The providers visible to {@code classLoader}. */
    public static VerifierRegistry load(ClassLoader classLoader) {
        List<VerifierProvider> found = new ArrayList<>();
        try {
            for (VerifierProvider p : ServiceLoader.load(VerifierProvider.class, classLoader)) {
                found.add(p);
            }
        } catch (ServiceConfigurationError e) {
            throw new IllegalStateException("cannot load a verifier provider listed in META-INF/services/"
                    + VerifierProvider.class.getName() + ": " + e.getMessage(), e);
        }
        return of(found);
    }

    /**
     * A registry over explicit providers (tests, embedding). Two providers with the same name are an
     * error naming both classes: silently picking one would make a recipe's meaning depend on classpath order.
     */
    public static VerifierRegistry of(List<? extends VerifierProvider> providerList) {
        Map<String, VerifierProvider> byName = new TreeMap<>();
        for (VerifierProvider p : providerList) {
            Objects.requireNonNull(p, "provider");
            String name = p.name();
            if (name == null || name.isBlank()) {
                throw new IllegalStateException("verifier provider " + p.getClass().getName()
                        + " has a blank name()");
            }
            VerifierProvider prev = byName.putIfAbsent(name, p);
            if (prev != null) {
                throw new IllegalStateException("two verifier providers are named '" + name + "': "
                        + prev.getClass().getName() + " and " + p.getClass().getName()
                        + " (remove one jar from the classpath or rename one provider)");
            }
        }
        return new VerifierRegistry(byName);
    }

    /** The known verifier names, sorted. */
    public List<String> names() {
        return List.copyOf(providers.keySet());
    }

    /** Whether a provider of that name is present. */
    public boolean contains(String name) {
        return providers.containsKey(name);
    }

    /** The provider of that name; an unknown name is an {@link IllegalArgumentException} listing the known ones. */
    public VerifierProvider provider(String name) {
        VerifierProvider p = name == null ? null : providers.get(name);
        if (p == null) {
            throw new IllegalArgumentException(unknownNameMessage(name));
        }
        return p;
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

    private String unknownNameMessage(String name) {
        StringBuilder sb = new StringBuilder("unknown verifier '").append(name).append("'; known verifiers: ")
                .append(providers.isEmpty() ? "(none on the classpath)" : String.join(", ", providers.keySet()));
        String suggestion = closest(name);
        if (suggestion != null) {
            sb.append(" (did you mean '").append(suggestion).append("'?)");
        }
        return sb.toString();
    }

    /** The known name closest to {@code name} by edit distance (case-insensitive), when it is close enough. */
    String closest(String name) {
        if (name == null || name.isEmpty()) {
            return null;
        }
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        String best = null;
        int bestDist = Integer.MAX_VALUE;
        for (String known : providers.keySet()) {
            int d = EditDistance.between(lower, known.toLowerCase(java.util.Locale.ROOT));
            if (d < bestDist) {
                bestDist = d;
                best = known;
            }
        }
        // Allow roughly one typo per three characters, at least one.
        int allowed = Math.max(1, Math.min(name.length(), best == null ? 0 : best.length()) / 3);
        return best != null && bestDist <= allowed ? best : null;
    }
}

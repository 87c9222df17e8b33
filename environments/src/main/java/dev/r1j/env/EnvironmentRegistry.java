package dev.r1j.env;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;

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
    private final Map<String, EnvironmentProvider> providers;

    private EnvironmentRegistry(Map<String, EnvironmentProvider> providers) {
        this.providers = Collections.unmodifiableMap(providers);
    }

    /** The providers visible to the thread's context classloader (else this class's loader). */
    public static EnvironmentRegistry defaultRegistry() {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        return load(cl != null ? cl : EnvironmentRegistry.class.getClassLoader());
    }

    /** The providers visible to {@code classLoader}. */
    public static EnvironmentRegistry load(ClassLoader classLoader) {
        List<EnvironmentProvider> found = new ArrayList<>();
        try {
            for (EnvironmentProvider p : ServiceLoader.load(EnvironmentProvider.class, classLoader)) found.add(p);
        } catch (ServiceConfigurationError e) {
            throw new IllegalStateException("cannot load an environment provider listed in META-INF/services/"
                    + EnvironmentProvider.class.getName() + ": " + e.getMessage(), e);
        }
        return of(found);
    }

    /** A registry over explicit providers; two with one name are an error naming both classes. */
    public static EnvironmentRegistry of(List<? extends EnvironmentProvider> providerList) {
        Map<String, EnvironmentProvider> byName = new TreeMap<>();
        for (EnvironmentProvider p : providerList) {
            Objects.requireNonNull(p, "provider");
            String name = p.name();
            if (name == null || name.isBlank()) {
                throw new IllegalStateException("environment provider " + p.getClass().getName() + " has a blank name()");
            }
            EnvironmentProvider prev = byName.putIfAbsent(name, p);
            if (prev != null) {
                throw new IllegalStateException("two environment providers are named '" + name + "': "
                        + prev.getClass().getName() + " and " + p.getClass().getName()
                        + " (remove one jar from the classpath or rename one provider)");
            }
        }
        return new EnvironmentRegistry(byName);
    }

    /** The known names, sorted. */
    public List<String> names() {
        return List.copyOf(providers.keySet());
    }

    public boolean contains(String name) {
        return providers.containsKey(name);
    }

    /** The provider of that name; an unknown name is an {@link IllegalArgumentException} listing the known ones. */
    public EnvironmentProvider provider(String name) {
        EnvironmentProvider p = name == null ? null : providers.get(name);
        if (p == null) {
            StringBuilder sb = new StringBuilder("unknown environment '").append(name).append("'; known environments: ")
                    .append(providers.isEmpty() ? "(none on the classpath)" : String.join(", ", providers.keySet()));
            String close = closest(name);
            if (close != null) sb.append(" (did you mean '").append(close).append("'?)");
            throw new IllegalArgumentException(sb.toString());
        }
        return p;
    }

    /** Builds the environment {@code config.name()} names. */
    public Environment create(EnvironmentConfig config) {
        return provider(config.name()).create(config);
    }

    private String closest(String name) {
        if (name == null || name.isEmpty()) return null;
        String best = null;
        int bestDist = Integer.MAX_VALUE;
        for (String known : providers.keySet()) {
            int d = dev.r1j.verifiers.EditDistance.between(name.toLowerCase(Locale.ROOT), known.toLowerCase(Locale.ROOT));
            if (d < bestDist) {
                bestDist = d;
                best = known;
            }
        }
        int allowed = Math.max(1, Math.min(name.length(), best == null ? 0 : best.length()) / 3);
        return best != null && bestDist <= allowed ? best : null;
    }
}

package dev.r1j.options;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Plugins of one kind by the name a recipe gives them: what the stage, verifier and environment registries share.
 * Providers come from {@link ServiceLoader} (a plugin jar on the class path is all it takes) or from an explicit list;
 * two providers with one name are an error naming both classes, and an unknown name is an error listing the known
 * names and the nearest one.
 *
 * <pre>{@code
 * NamedProviders<VerifierProvider> verifiers =
 *         NamedProviders.load("verifier", VerifierProvider.class, VerifierProvider::name, classLoader);
 * verifiers.get("maht");   // IllegalArgumentException:
 *                          //   unknown verifier 'maht' (did you mean 'math'?); known verifiers: format, math
 * }</pre>
 *
 * @param <P> the provider type
 */
public final class NamedProviders<P> {
    private final String kind;
    private final Map<String, P> byName; // sorted by name, unmodifiable

    private NamedProviders(String kind, Map<String, P> byName) {
        this.kind = kind;
        this.byName = Collections.unmodifiableMap(byName);
    }

    /**
     * Every provider of {@code service} that {@code classLoader} lists in {@code META-INF/services}.
     *
     * @param kind what the providers are, singular, for messages ({@code "verifier"})
     */
    public static <P> NamedProviders<P> load(String kind, Class<P> service, Function<? super P, String> nameOf,
            ClassLoader classLoader) {
        List<P> found = new ArrayList<>();
        try {
            for (P p : ServiceLoader.load(service, classLoader)) {
                found.add(p);
            }
        } catch (ServiceConfigurationError e) {
            throw new IllegalStateException("cannot load " + article(kind) + " " + kind
                    + " provider listed in META-INF/services/" + service.getName() + ": " + e.getMessage(), e);
        }
        return of(kind, found, nameOf);
    }

    /** Exactly these providers; a blank name or two providers with one name is an {@link IllegalStateException}. */
    public static <P> NamedProviders<P> of(String kind, List<? extends P> providers, Function<? super P, String> nameOf) {
        Map<String, P> byName = new TreeMap<>();
        for (P p : providers) {
            Objects.requireNonNull(p, "provider");
            String name = nameOf.apply(p);
            if (name == null || name.isBlank()) {
                throw new IllegalStateException(kind + " provider " + p.getClass().getName() + " has a blank name()");
            }
            P prev = byName.putIfAbsent(name, p);
            if (prev != null) {
                throw new IllegalStateException("two " + kind + " providers are named '" + name + "': "
                        + prev.getClass().getName() + " and " + p.getClass().getName()
                        + " (remove one jar from the class path or rename one provider)");
            }
        }
        return new NamedProviders<>(kind, byName);
    }

    /** The class loader plugins are looked up in: the thread's context loader, else {@code fallback}'s. */
    public static ClassLoader pluginLoader(Class<?> fallback) {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        return cl != null ? cl : fallback.getClassLoader();
    }

    /** The known names, sorted. */
    public List<String> names() {
        return List.copyOf(byName.keySet());
    }

    public boolean contains(String name) {
        return name != null && byName.containsKey(name);
    }

    /** The provider of {@code name}; an unknown name is an {@link IllegalArgumentException} with {@link #unknown}. */
    public P get(String name) {
        P p = name == null ? null : byName.get(name);
        if (p == null) {
            throw new IllegalArgumentException(unknown(name));
        }
        return p;
    }

    /** "unknown stage 'gpro' (did you mean 'grpo'?); known stages: eval, grpo, sft". */
    public String unknown(String name) {
        return "unknown " + kind + " '" + name + "'" + (name == null ? "" : DidYouMean.hint(name, byName.keySet()))
                + "; known " + kind + "s: "
                + (byName.isEmpty() ? "(none on the class path)" : String.join(", ", byName.keySet()));
    }

    private static String article(String word) {
        return "aeiou".indexOf(word.charAt(0)) >= 0 ? "an" : "a";
    }
}

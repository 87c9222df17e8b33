package dev.r1j.recipes.stage;

import dev.r1j.recipes.config.DidYouMean;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The stages a recipe can name. {@link #defaultRegistry()} finds every {@link StageProvider} on the class path with
 * {@link ServiceLoader}, so a plugin jar adds stages without any change here; tests build one with {@link #of}.
 *
 * <pre>{@code
 * StageRegistry stages = StageRegistry.defaultRegistry();
 * StageProvider<?> grpo = stages.get("grpo");      // unknown name: IllegalArgumentException listing the names
 * }</pre>
 */
public final class StageRegistry {
    private final Map<String, StageProvider<?>> providers;

    private StageRegistry(Map<String, StageProvider<?>> providers) {
        this.providers = Collections.unmodifiableMap(providers);
    }

    /** Every provider listed in {@code META-INF/services/dev.r1j.recipes.stage.StageProvider} (context loader). */
    @SuppressWarnings("rawtypes")
    public static StageRegistry defaultRegistry() {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        List<StageProvider<?>> found = new ArrayList<>();
        try {
            for (StageProvider p : ServiceLoader.load(StageProvider.class, cl == null ? StageRegistry.class.getClassLoader() : cl)) {
                found.add(p);
            }
        } catch (ServiceConfigurationError e) {
            throw new IllegalStateException("cannot load a stage provider listed in META-INF/services/"
                    + StageProvider.class.getName() + ": " + e.getMessage(), e);
        }
        return of(found);
    }

    public static StageRegistry of(StageProvider<?>... providers) {
        return of(List.of(providers));
    }

    /** A registry of exactly these providers; two with the same name is an error naming both classes. */
    public static StageRegistry of(List<StageProvider<?>> list) {
        Map<String, StageProvider<?>> map = new TreeMap<>();
        for (StageProvider<?> p : list) {
            StageProvider<?> old = map.put(p.name(), p);
            if (old != null) {
                throw new IllegalStateException("two stage providers are named '" + p.name() + "': "
                        + old.getClass().getName() + " and " + p.getClass().getName());
            }
        }
        return new StageRegistry(map);
    }

    /** Stage names, sorted. */
    public List<String> names() {
        return List.copyOf(providers.keySet());
    }

    public boolean contains(String name) {
        return providers.containsKey(name);
    }

    /** The provider of {@code name}; an unknown name lists the known ones and the nearest. */
    public StageProvider<?> get(String name) {
        StageProvider<?> p = providers.get(name);
        if (p == null) {
            throw new IllegalArgumentException(unknown(name));
        }
        return p;
    }

    /** "unknown stage 'gpro' (did you mean 'grpo'?); known stages: eval, grpo, sft". */
    public String unknown(String name) {
        return "unknown stage '" + name + "'" + DidYouMean.hint(name, providers.keySet()) + "; known stages: "
                + (providers.isEmpty() ? "(none on the class path)" : String.join(", ", providers.keySet()));
    }
}

package dev.r1j.recipes.stage;

import dev.r1j.options.NamedProviders;
import java.util.List;

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
    private final NamedProviders<StageProvider<?>> providers;

    private StageRegistry(NamedProviders<StageProvider<?>> providers) {
        this.providers = providers;
    }

    /** Every provider listed in {@code META-INF/services/dev.r1j.recipes.stage.StageProvider} (context loader). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static StageRegistry defaultRegistry() {
        Class<StageProvider<?>> service = (Class) StageProvider.class;
        return new StageRegistry(NamedProviders.load("stage", service, StageProvider::name,
                NamedProviders.pluginLoader(StageRegistry.class)));
    }

    public static StageRegistry of(StageProvider<?>... providers) {
        return of(List.of(providers));
    }

    /** A registry of exactly these providers; two with the same name is an error naming both classes. */
    public static StageRegistry of(List<StageProvider<?>> list) {
        return new StageRegistry(NamedProviders.of("stage", list, StageProvider::name));
    }

    /** Stage names, sorted. */
    public List<String> names() {
        return providers.names();
    }

    public boolean contains(String name) {
        return providers.contains(name);
    }

    /** The provider of {@code name}; an unknown name lists the known ones and the nearest. */
    public StageProvider<?> get(String name) {
        return providers.get(name);
    }

    /** "unknown stage 'gpro' (did you mean 'grpo'?); known stages: eval, grpo, sft". */
    public String unknown(String name) {
        return providers.unknown(name);
    }
}

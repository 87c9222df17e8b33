package dev.r1j.recipes;

import dev.r1j.recipes.config.Location;
import dev.r1j.recipes.stage.Stage;
import dev.r1j.recipes.stage.StageProvider;

/**
 * One entry of a recipe's {@code stages} list, bound and validated.
 *
 * @param index 0-based position in the recipe
 * @param id the name made unique in the recipe ({@code sft}, then {@code sft_2})
 * @param name the provider's name as written ({@code sft})
 * @param options the bound options record (of {@code provider.optionsType()})
 * @param provider the stage's provider
 * @param location where the stage is written in the recipe
 */
public record StageSpec(int index, String id, String name, Record options, StageProvider<?> provider, Location location) {
    /** Makes the stage from its options. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Stage create() {
        return ((StageProvider) provider).create(options);
    }
}

package dev.r1j.recipes;

import dev.r1j.options.Default;
import dev.r1j.options.Help;
import java.nio.file.Path;

/**
 * The top-level keys of a recipe besides {@code stages} (which {@link RecipeLoader} binds stage by stage).
 * Exists for binding and for {@code recipe explain}.
 */
public record RecipeSettings(
        @Help("directory for checkpoints, metrics, completions and plots; null: runs/<recipe file name>")
        @Default("null") Path runDir,
        @Help("random seed of the run, handed to every stage") @Default("0") long seed,
        @Help("the model the first stage starts from") ModelSpec model) {}

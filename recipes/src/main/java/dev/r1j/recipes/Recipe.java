package dev.r1j.recipes;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;

/**
 * A loaded, validated recipe: defaults merged under the file, {@code --set} overrides on top.
 *
 * <pre>{@code
 * Recipe r = new RecipeLoader(StageRegistry.defaultRegistry()).load("r1-zero.yaml", List.of("stages[0].grpo.steps=50"));
 * r.stages().get(0).options();   // GrpoOptions[steps=50, ...]
 * }</pre>
 *
 * @param name the recipe file's name without extension ({@code r1-zero}), the default run directory's name
 * @param source where it was read: a file path, or {@code bundled:NAME}
 * @param runDir the run directory
 * @param seed the run's seed
 * @param model the starting model
 * @param stages the stages in order
 * @param resolved the recipe tree after defaults and overrides (as written to {@code config.resolved.json})
 * @param overrides the {@code --set} arguments applied, in order
 */
public record Recipe(String name, String source, Path runDir, long seed, ModelSpec model, List<StageSpec> stages,
        ObjectNode resolved, List<String> overrides) {
    public Recipe {
        stages = List.copyOf(stages);
        overrides = List.copyOf(overrides);
    }
}

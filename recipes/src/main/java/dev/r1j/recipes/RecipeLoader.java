package dev.r1j.recipes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.r1j.recipes.config.ConfigPath;
import dev.r1j.recipes.config.LocatedTree;
import dev.r1j.recipes.config.OptionsBinder;
import dev.r1j.recipes.config.Overrides;
import dev.r1j.recipes.config.RecipeException;
import dev.r1j.recipes.config.YamlTree;
import dev.r1j.recipes.stage.StageProvider;
import dev.r1j.recipes.stage.StageRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a recipe file into a {@link Recipe}: YAML → tree (with the line of every key) → {@code --set} overrides →
 * bind the top-level keys and each stage's options to records, filling defaults → validate once (the records'
 * constructors). Every error is a {@link RecipeException} naming file, line, key and what was expected.
 *
 * <pre>{@code
 * RecipeLoader loader = new RecipeLoader(StageRegistry.defaultRegistry());
 * Recipe r = loader.load("r1-zero.yaml", List.of("stages[0].grpo.steps=50"));
 * }</pre>
 */
public final class RecipeLoader {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final StageRegistry stages;

    public RecipeLoader(StageRegistry stages) {
        this.stages = stages;
    }

    /** Loads a recipe file, or a bundled recipe by bare name, and applies {@code overrides} ({@code key=value}). */
    public Recipe load(String fileOrName, List<String> overrides) {
        return parse(RecipeSource.find(fileOrName), overrides);
    }

    public Recipe parse(RecipeSource source, List<String> overrides) {
        LocatedTree tree = YamlTree.parse(source.text(), source.name());
        if (!tree.root().isObject()) {
            throw new RecipeException(source.name() + ": a recipe is a mapping with keys run_dir, seed, model, stages");
        }
        Overrides.apply(tree, overrides);
        ObjectNode root = (ObjectNode) tree.root();
        OptionsBinder binder = new OptionsBinder(tree.sources());
        OptionsBinder.Bound<RecipeSettings> settings = binder.bindRecord(RecipeSettings.class, root, "", Set.of("stages"));

        JsonNode list = root.get("stages");
        if (list == null || list.isNull()) {
            throw new RecipeException(source.name() + ": missing required key 'stages' (a list such as '- grpo: {steps: 50}'); "
                    + "known stages: " + String.join(", ", stages.names()));
        }
        if (!list.isArray() || list.isEmpty()) {
            throw RecipeException.at(tree.sources().locate("stages"), "stages",
                    "expected a non-empty list of stages such as '- grpo: {steps: 50}', got " + (list.isArray() ? "an empty list" : list.getNodeType().toString().toLowerCase()));
        }
        List<StageSpec> specs = new ArrayList<>();
        ArrayNode resolvedStages = NODES.arrayNode();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < list.size(); i++) {
            String at = ConfigPath.index("stages", i);
            JsonNode entry = list.get(i);
            if (!entry.isObject() || entry.size() != 1) {
                List<String> keys = new ArrayList<>();
                entry.fieldNames().forEachRemaining(keys::add);
                throw RecipeException.at(tree.sources().locate(at), at, "a stage is a map with exactly one key, the stage name, "
                        + "e.g. '- grpo: {steps: 50}'; got " + (entry.isObject() ? (keys.isEmpty() ? "an empty map" : "keys " + String.join(", ", keys)) : entry.toString()));
            }
            String name = entry.fieldNames().next();
            String stagePath = ConfigPath.child(at, name);
            if (!stages.contains(name)) {
                throw RecipeException.at(tree.sources().locate(stagePath), at, stages.unknown(name));
            }
            StageProvider<?> provider = stages.get(name);
            // every seed option of a stage left out of the recipe takes the recipe's seed
            OptionsBinder.Bound<? extends Record> options = binder.bindInheriting(provider.optionsType(), entry.get(name),
                    stagePath, Map.of("seed", NODES.numberNode(settings.value().seed())));
            int n = seen.merge(name, 1, Integer::sum);
            String id = n == 1 ? name : name + "_" + n;
            specs.add(new StageSpec(i, id, name, options.value(), provider, tree.sources().locate(stagePath)));
            ObjectNode one = NODES.objectNode();
            one.set(name, options.resolved());
            resolvedStages.add(one);
        }

        String recipeName = baseName(source.name());
        Path runDir = settings.value().runDir() != null ? settings.value().runDir() : Path.of("runs", recipeName);
        ObjectNode resolved = NODES.objectNode();
        resolved.put("run_dir", runDir.toString());
        resolved.put("seed", settings.value().seed());
        resolved.set("model", settings.resolved().get("model"));
        resolved.set("stages", resolvedStages);
        return new Recipe(recipeName, source.location(), runDir, settings.value().seed(), settings.value().model(), specs,
                resolved, overrides);
    }

    private static String baseName(String fileName) {
        return fileName.replaceFirst("\\.(yaml|yml)$", "");
    }
}

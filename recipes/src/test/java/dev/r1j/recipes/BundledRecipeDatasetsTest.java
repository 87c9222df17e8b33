package dev.r1j.recipes;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.r1j.recipes.stage.StageRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 18: every dataset of the bundled recipes is written as a map, so any of its fields can be set from the
 * command line ({@code --set stages[2].sft.dataset.limit=20}) without rewriting the path.
 */
class BundledRecipeDatasetsTest {
    final RecipeLoader loader = new RecipeLoader(StageRegistry.defaultRegistry());

    @Test
    void everyBundledDatasetTakesALimitFromTheCommandLine() {
        int checked = 0;
        for (String name : List.of("r1.yaml", "r1-v3.yaml", "r1-zero.yaml", "gsm8k-grpo.yaml", "r1-tool.yaml")) {
            Recipe plain = loader.load(name, List.of());
            for (StageSpec s : plain.stages()) {
                JsonNode stage = plain.resolved().get("stages").get(s.index()).get(s.name());
                if (!stage.has("dataset")) continue;
                String key = "stages[" + s.index() + "]." + s.name() + ".dataset.limit=20";
                Recipe limited = loader.load(name, List.of(key));
                JsonNode d = limited.resolved().get("stages").get(s.index()).get(s.name()).get("dataset");
                assertEquals(20, d.get("limit").asInt(), name + " " + key + ": " + d);
                assertEquals(stage.get("dataset").get("path"), d.get("path"), name + " " + key);
                checked++;
            }
        }
        assertTrue(checked >= 15, "datasets checked: " + checked);
    }
}

package dev.r1j.recipes.stages;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.r1j.recipes.RecipeLoader;
import dev.r1j.recipes.RecipeSource;
import dev.r1j.recipes.config.OptionDoc;
import dev.r1j.recipes.config.Options;
import dev.r1j.recipes.config.RecipeException;
import dev.r1j.recipes.stage.StageRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A property of every option of every bundled stage: written as {@code null} (where its default is not null) or as a
 * value of the wrong type, it is refused before anything runs with one line that names where the value came from (the
 * file and line, or the --set override) and the key.
 */
class EveryOptionBadValueTest {
    /** The least each stage needs; the option under test is then set with --set. */
    private static final Map<String, String> MINIMAL = Map.of(
            "pretrain", "{}", "grpo", "{dataset: {path: d.jsonl}}", "eval", "{dataset: {path: d.jsonl}}",
            "sft", "{dataset: {path: d.jsonl}}", "rejection_sample", "{dataset: {path: d.jsonl}}", "dpo", "{pairs: p.jsonl}");

    private final StageRegistry stages = StageRegistry.defaultRegistry();
    private final RecipeLoader loader = new RecipeLoader(stages);

    @Test
    void nullAndWrongTypesAreOneLineErrorsNamingTheKey() {
        int checked = 0;
        List<String> problems = new ArrayList<>();
        for (String stage : MINIMAL.keySet()) {
            assertTrue(stages.names().contains(stage), stage);
            String yaml = "run_dir: r\nstages:\n  - " + stage + ": " + MINIMAL.get(stage) + "\n";
            loader.parse(new RecipeSource("t.yaml", "t.yaml", yaml), List.of()); // the minimal recipe itself binds
            for (OptionDoc d : Options.describe(stages.get(stage).optionsType())) {
                if (d.key().contains("[]")) {
                    continue; // list elements: covered by the list's own type check
                }
                String path = "stages[0]." + stage + "." + d.key();
                if (!d.nullable()) {
                    expectError(yaml, path + "=null", path, problems);
                    checked++;
                }
                String wrong = d.type().startsWith("a list") || d.type().startsWith("a map") ? "7"
                        : d.type().equals("an object") ? "[1]"
                        : d.type().equals("a string") || d.type().equals("a path") ? "[1, 2]" : "[oops]";
                if (!d.type().equals("any value")) {
                    expectError(yaml, path + "=" + wrong, path, problems);
                    checked++;
                }
            }
        }
        if (!problems.isEmpty()) fail(problems.size() + " options took a bad value badly:\n" + String.join("\n", problems));
        assertTrue(checked > 150, "checked only " + checked);
    }

    private void expectError(String yaml, String override, String path, List<String> problems) {
        try {
            loader.parse(new RecipeSource("t.yaml", "t.yaml", yaml), List.of(override));
            problems.add(override + ": accepted");
        } catch (RecipeException e) {
            String m = e.getMessage();
            // the error points at the recipe line, or at the --set override that brought the value
            if (!(m.startsWith("t.yaml") || m.startsWith("--set " + override)) || m.contains("\n") || !m.contains(path.substring(0, path.lastIndexOf('.')))) {
                problems.add(override + ": " + m);
            }
            assertFalse(m.contains("Exception"), m);
        } catch (RuntimeException e) {
            problems.add(override + ": " + e);
        }
    }
}

package dev.r1j.recipes.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.r1j.core.grpo.GrpoConfig;
import dev.r1j.core.grpo.LossType;
import dev.r1j.recipes.Recipe;
import dev.r1j.recipes.RecipeLoader;
import dev.r1j.recipes.RecipeSource;
import dev.r1j.recipes.config.OptionDoc;
import dev.r1j.recipes.config.Options;
import dev.r1j.recipes.config.RecipeException;
import dev.r1j.recipes.stage.StageRegistry;
import dev.r1j.recipes.stages.eval.EvalOptions;
import dev.r1j.recipes.stages.grpo.GrpoOptions;
import dev.r1j.recipes.stages.pretrain.PretrainOptions;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The stages' options: documented, defaults in step with rl-core, and one clear error per bad value. */
class StageOptionsTest {
    final RecipeLoader loader = new RecipeLoader(StageRegistry.defaultRegistry());

    Recipe parse(String yaml, String... overrides) {
        return loader.parse(new RecipeSource("t.yaml", "t.yaml", yaml), List.of(overrides));
    }

    String error(String yaml, String... overrides) {
        return assertThrows(RecipeException.class, () -> parse(yaml, overrides)).getMessage();
    }

    @Test
    void everyOptionHasHelpAndAWellFormedDefault() {
        Options.validate(PretrainOptions.class);
        Options.validate(GrpoOptions.class);
        Options.validate(EvalOptions.class);
        assertEquals(List.of("eval", "grpo", "pretrain"), StageRegistry.defaultRegistry().names().stream()
                .filter(n -> Set.of("eval", "grpo", "pretrain").contains(n)).toList());
    }

    @Test
    void grpoDefaultsAreRlCoresDefaults() {
        Set<String> keys = Options.describe(GrpoOptions.class).stream().map(OptionDoc::key).collect(Collectors.toSet());
        for (GrpoConfig.Option o : GrpoConfig.OPTIONS) assertTrue(keys.contains(o.name()), o.name());
        GrpoOptions g = (GrpoOptions) parse("stages: [{grpo: {dataset: d.jsonl}}]").stages().get(0).options();
        assertEquals(GrpoConfig.defaults(), g.toConfig(GrpoConfig.defaults().seed()));
        GrpoOptions set = (GrpoOptions) parse("seed: 5\nstages: [{grpo: {dataset: d.jsonl, loss_type: dr_grpo, "
                + "clip: {high: 0.28}}}]").stages().get(0).options();
        GrpoConfig c = set.toConfig(5L);
        assertEquals(LossType.DR_GRPO, c.lossType());
        assertEquals(0.2, c.clip().low());
        assertEquals(0.28, c.clip().high());
        assertEquals(5L, c.seed());
    }

    @Test
    void badValuesNameTheFileLineAndKey() {
        String yaml = """
                run_dir: runs/t
                stages:
                  - grpo:
                      dataset: d.jsonl
                      group_size: 0
                """;
        String e = error(yaml);
        assertTrue(e.startsWith("t.yaml line 5: stages[0].grpo: "), e);
        assertTrue(e.contains("group_size must be >= 1, got 0"), e);

        e = error("stages:\n  - grpo:\n      dataset: d.jsonl\n      gruop_size: 4\n");
        assertTrue(e.contains("line 4") && e.contains("unknown key 'gruop_size' (did you mean 'group_size'?)"), e);

        e = error("stages:\n  - grpo:\n      dataset: d.jsonl\n      verifiers: [maths]\n");
        assertTrue(e.contains("line 4") && e.contains("maths") && e.contains("math"), e);

        e = error("stages:\n  - pretrain:\n      hidden_size: 100\n      num_heads: 3\n");
        assertTrue(e.startsWith("t.yaml line 3: stages[0].pretrain: num_heads (3) must divide hidden_size (100)"), e);

        e = error("stages:\n  - eval: {dataset: t.jsonl, samples: 4}\n");
        assertTrue(e.contains("line 2") && e.contains("samples = 4 with temperature 0"), e);

        e = error("stages:\n  - grpo: {dataset: d.jsonl}\n", "stages[0].grpo.clip.low=1.5");
        assertTrue(e.contains("clip.low must be in [0, 1), got 1.5"), e);
    }
}

package dev.r1j.recipes.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.r1j.env.EnvironmentConfig;
import dev.r1j.recipes.Recipe;
import dev.r1j.recipes.RecipeLoader;
import dev.r1j.recipes.stage.StageRegistry;
import dev.r1j.recipes.stages.eval.EvalOptions;
import dev.r1j.recipes.stages.grpo.GrpoOptions;
import dev.r1j.recipes.stages.pretrain.PretrainOptions;
import dev.r1j.recipes.stages.pretrain.PretrainTask;
import dev.r1j.tasks.arith.ToolArithmeticTask;
import dev.r1j.tasks.arith.ToolTranscript.Tool;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The bundled r1-tool recipe loads and binds: the pretrain stage builds the tool task on the calculator, and both
 * evals and the GRPO stage run multi-turn episodes with the environment the corpus calls.
 */
class R1ToolRecipeTest {
    @Test
    void bundledRecipeBindsWithTheCalculatorEnvironmentEverywhere() {
        Recipe r = new RecipeLoader(StageRegistry.defaultRegistry()).load("r1-tool", List.of());
        assertEquals(List.of("pretrain", "eval", "eval", "grpo", "eval", "eval"), r.stages().stream().map(s -> s.name()).toList());
        PretrainOptions pre = (PretrainOptions) r.stages().get(0).options();
        assertEquals(PretrainTask.TOOL_ARITHMETIC, pre.task());
        ToolArithmeticTask task = assertInstanceOf(ToolArithmeticTask.class, pre.toyTask());
        assertEquals(Tool.CALCULATOR, task.config().tool());
        for (int i : new int[] {1, 2, 4, 5}) {
            EnvironmentConfig env = ((EvalOptions) r.stages().get(i).options()).environment();
            assertEquals(task.config().tool().environmentName(), env.name(), "eval " + i);
        }
        EnvironmentConfig env = ((GrpoOptions) r.stages().get(3).options()).environment();
        assertEquals("calculator", env.name());
        assertEquals(3, env.maxTurns());
    }
}

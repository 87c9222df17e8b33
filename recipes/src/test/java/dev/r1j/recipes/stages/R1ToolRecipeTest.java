package dev.r1j.recipes.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /**
     * Every episode budget of the recipe fits the base model's context after the longest prompt (an eval whose
     * prompt + max_total_tokens exceeds it is refused at its first row), and holds a whole tool-using episode of the
     * corpus (call, observation, answer, EOS), so that a right episode is never cut short.
     */
    @Test
    void episodeBudgetsFitTheContextAndHoldAWholeToolEpisode() {
        Recipe r = new RecipeLoader(StageRegistry.defaultRegistry()).load("r1-tool", List.of());
        PretrainOptions pre = (PretrainOptions) r.stages().get(0).options();
        ToolArithmeticTask task = (ToolArithmeticTask) pre.toyTask();
        int context = pre.trainer().maxLength();
        int longestPrompt = 0, longestEpisode = 0;
        for (ToolArithmeticTask.CorpusLine line : new ToolArithmeticTask(task.config().withSizes(2000, 0, 0, 0)).corpus()) {
            if (line.kind() != ToolArithmeticTask.Kind.TOOL) continue;
            longestPrompt = Math.max(longestPrompt, 1 + line.prompt().length());        // BOS + characters
            longestEpisode = Math.max(longestEpisode, line.completion().length() + 1);  // + EOS
        }
        assertTrue(longestEpisode > 0, "the corpus has tool-using lines");
        for (int i = 1; i < r.stages().size(); i++) {
            Object o = r.stages().get(i).options();
            EnvironmentConfig env = o instanceof EvalOptions e ? e.environment() : ((GrpoOptions) o).environment();
            assertTrue(longestPrompt + env.maxTotalTokens() <= context, "stage " + i + ": prompt " + longestPrompt
                    + " + max_total_tokens " + env.maxTotalTokens() + " > context " + context);
            assertTrue(env.maxTotalTokens() >= longestEpisode, "stage " + i + ": max_total_tokens "
                    + env.maxTotalTokens() + " < a whole tool episode of " + longestEpisode + " tokens");
        }
    }
}

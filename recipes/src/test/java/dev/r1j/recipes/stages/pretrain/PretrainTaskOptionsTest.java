package dev.r1j.recipes.stages.pretrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.r1j.recipes.config.RecipeException;
import dev.r1j.recipes.RecipeLoader;
import dev.r1j.recipes.RecipeSource;
import dev.r1j.recipes.stage.StageRegistry;
import dev.r1j.tasks.arith.ArithmeticTask;
import dev.r1j.tasks.arith.ToolArithmeticTask;
import dev.r1j.tasks.arith.ToolTranscript.Tool;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pretrain stage's {@code task} key picks the toy task; the tool task's keys reach its generator. */
class PretrainTaskOptionsTest {
    final RecipeLoader loader = new RecipeLoader(StageRegistry.defaultRegistry());

    PretrainOptions parse(String yaml) {
        return (PretrainOptions) loader.parse(new RecipeSource("t.yaml", "t.yaml", yaml), List.of()).stages().get(0).options();
    }

    @Test
    void arithmeticIsTheDefaultAndToolArithmeticIsChosenByName() {
        PretrainOptions p = parse("stages: [{pretrain: {}}]");
        assertEquals(PretrainTask.ARITHMETIC, p.task());
        assertInstanceOf(ArithmeticTask.class, p.toyTask());

        p = parse("seed: 3\nstages: [{pretrain: {task: tool_arithmetic, tool: python, tool_share: 0.3, min_digits: 3,"
                + " max_digits: 4, add_share: 0.5, sub_share: 0, data_seed: 9, corpus_size: 10, test_size: 5}}]");
        ToolArithmeticTask task = assertInstanceOf(ToolArithmeticTask.class, p.toyTask());
        assertEquals(new ToolArithmeticTask.Config(9, 3, 4, 0.5, 0, Tool.PYTHON, 0.3, 10, 2000, 5, 500), task.config());
        assertEquals(3 + 1 + 95 + 1, task.tokenizer().vocabSize(), "the tool task's vocabulary");
    }

    @Test
    void badToolKeysAreOneErrorNamingTheKey() {
        String e = assertThrows(RecipeException.class,
                () -> parse("stages:\n  - pretrain: {task: tool_arithmetic, tool_share: 1.5}\n")).getMessage();
        assertTrue(e.startsWith("t.yaml line 2: stages[0].pretrain: tool_share must be in [0, 1], got 1.5"), e);
        e = assertThrows(RecipeException.class, () -> parse("stages:\n  - pretrain: {tool: abacus}\n")).getMessage();
        assertTrue(e.contains("tool") && e.contains("calculator") && e.contains("python"), e);
        e = assertThrows(RecipeException.class, () -> parse("stages:\n  - pretrain: {task: tools}\n")).getMessage();
        assertTrue(e.contains("tool_arithmetic"), e);
    }
}

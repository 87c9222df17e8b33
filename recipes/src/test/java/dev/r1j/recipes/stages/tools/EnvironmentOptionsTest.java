package dev.r1j.recipes.stages.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.r1j.env.EnvironmentConfig;
import dev.r1j.env.ToolCallFormat;
import dev.r1j.recipes.config.LocatedTree;
import dev.r1j.recipes.config.OptionsBinder;
import dev.r1j.recipes.config.RecipeException;
import dev.r1j.recipes.config.YamlTree;
import dev.r1j.recipes.stages.eval.EvalOptions;
import dev.r1j.recipes.stages.grpo.GrpoOptions;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code environment} block of the grpo and eval stages: one declaration, bound and checked with its line. */
class EnvironmentOptionsTest {

    static <T extends Record> T bind(Class<T> type, String yaml) {
        LocatedTree t = YamlTree.parse(yaml, "r.yaml");
        return new OptionsBinder(t.sources()).bind(type, t.root(), "").value();
    }

    @Test
    void bindsWithDefaultsInBothStages() {
        GrpoOptions g = bind(GrpoOptions.class, """
                dataset: d.jsonl
                environment: {name: python, format: hermes, max_turns: 3, options: {memory_mb: 512}}
                """);
        EnvironmentConfig e = g.environment();
        assertEquals("python", e.name());
        assertEquals(ToolCallFormat.HERMES, e.format());
        assertEquals(3, e.maxTurns());
        assertEquals(512, e.maxTotalTokens());
        assertEquals(5.0, e.timeoutS());
        assertEquals(1000, e.maxOutputChars());
        assertEquals(Map.of("memory_mb", 512), e.options());
        assertNull(bind(GrpoOptions.class, "dataset: d.jsonl\n").environment(), "single-turn by default");

        EvalOptions ev = bind(EvalOptions.class, "dataset: d.jsonl\nenvironment: {name: calculator}\n");
        assertEquals(EnvironmentConfig.of("calculator"), ev.environment());
    }

    @Test
    void anUnknownEnvironmentIsReportedWithItsLineAndTheKnownOnes() {
        String m = assertThrows(RecipeException.class, () -> bind(GrpoOptions.class, """
                dataset: d.jsonl
                environment:
                  name: calculater
                """)).getMessage();
        assertTrue(m.startsWith("r.yaml line 3: environment: name: unknown environment 'calculater' (did you mean "
                + "'calculator'?); known environments: calculator, python"), m);
        String f = assertThrows(RecipeException.class, () -> bind(GrpoOptions.class, """
                dataset: d.jsonl
                environment: {name: python, format: xml}
                """)).getMessage();
        assertTrue(f.contains("environment.format") && f.contains("code_block"), f);
    }
}

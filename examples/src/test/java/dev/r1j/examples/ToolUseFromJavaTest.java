package dev.r1j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.r1j.core.grpo.GrpoStepMetrics;
import org.junit.jupiter.api.Test;

class ToolUseFromJavaTest {
    @Test
    void answersTheCallAndTrainsOnEpisodes() {
        ToolUseFromJava.Result r = ToolUseFromJava.run(2, 42L, null);
        assertEquals("\n```output\n29495\n```\n", r.observation(), "347*85, exactly, in an output block");
        assertEquals(2, r.steps().size());
        for (GrpoStepMetrics m : r.steps()) {
            // every completion is an episode (at least one model turn) and the tool statistics are logged
            assertTrue(m.extra().get("tools/turns_mean") >= 1.0, m.extra().toString());
            double use = m.extra().get("tools/tool_use_frac");
            assertTrue(use >= 0 && use <= 1, m.extra().toString());
            assertTrue(m.toMap().containsKey("tools/tool_calls_mean"), m.toMap().toString());
            assertTrue(Double.isFinite(m.loss()), m.toString());
        }
    }
}

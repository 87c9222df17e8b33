package dev.r1j.recipes.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.r1j.recipes.Recipe;
import dev.r1j.recipes.RecipeLoader;
import dev.r1j.recipes.RecipeSource;
import dev.r1j.recipes.config.RecipeException;
import dev.r1j.recipes.stage.StageRegistry;
import dev.r1j.recipes.stage.VerifierSpec;
import dev.r1j.recipes.stages.grpo.GrpoOptions;
import dev.r1j.verifiers.CompositeVerifier;
import dev.r1j.verifiers.Sample;
import dev.r1j.verifiers.Verdict;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Recipe keys of reward composition: per-verifier gates and the grpo stage's combination mode. */
class RewardCompositionOptionsTest {
    final RecipeLoader loader = new RecipeLoader(StageRegistry.defaultRegistry());

    GrpoOptions grpo(String yaml) {
        Recipe r = loader.parse(new RecipeSource("t.yaml", "t.yaml", yaml), List.of());
        return (GrpoOptions) r.stages().get(0).options();
    }

    String error(String yaml) {
        return assertThrows(RecipeException.class,
                () -> loader.parse(new RecipeSource("t.yaml", "t.yaml", yaml), List.of())).getMessage();
    }

    private static final String GATED = """
            stages:
              - grpo:
                  dataset: d.jsonl
                  combination: %s
                  verifiers:
                    - {name: math, gate: %s, gate_threshold: 0.5}
                    - {name: format, weight: 0.1}
            """;

    @Test
    void gatedWeightedSumPaysAccuracyOnlyWithTheRightFormat() {
        GrpoOptions o = grpo(GATED.formatted("weighted_sum", "format"));
        assertEquals(CompositeVerifier.Combination.WEIGHTED_SUM, o.combination());
        assertEquals("format", o.verifiers().get(0).gate());
        assertEquals(0.5, o.verifiers().get(0).gateThreshold());
        CompositeVerifier v = VerifierSpec.build(o.verifiers(), o.combination());
        Map<String, Object> ref = Map.of("answer", "5");
        // right answer, right format: 1 + 0.1; right answer, no think/answer tags: gated to 0; wrong answer: 0.1
        assertEquals(1.1, v.verify(new Sample("", "<think>2+3</think><answer>5</answer>", ref)).reward(), 1e-12);
        Verdict gated = v.verify(new Sample("", "the answer is 5", ref));
        assertEquals(0.0, gated.reward(), 0.0);
        assertEquals(1.0, CompositeVerifier.partRewards(gated).get("math"), "the raw math reward is still logged");
        assertEquals(List.of("math"), gated.details().get(CompositeVerifier.GATED));
        assertEquals(0.1, v.verify(new Sample("", "<think>2+2</think><answer>4</answer>", ref)).reward(), 1e-12);
    }

    @Test
    void normalizedSumIsParsedAndStandardisesOverTheGroup() {
        GrpoOptions o = grpo(GATED.formatted("normalized_sum", "format"));
        CompositeVerifier v = VerifierSpec.build(o.verifiers(), o.combination());
        assertEquals(CompositeVerifier.Combination.NORMALIZED_SUM, v.combination());
        Map<String, Object> ref = Map.of("answer", "5");
        List<Verdict> group = List.of(v.verify(new Sample("", "<think>a</think><answer>5</answer>", ref)),
                v.verify(new Sample("", "<think>a</think><answer>4</answer>", ref)));
        // math values [1, 0] and format values [1, 1]: z_math = [1, -1], format is constant and adds 0
        double[] r = v.groupRewards(group);
        assertEquals(1.0, r[0], 1e-12);
        assertEquals(-1.0, r[1], 1e-12);
    }

    @Test
    void badGateOrCombinationNamesTheLineWithASuggestion() {
        String e = error(GATED.formatted("weighted_sum", "fromat"));
        assertTrue(e.startsWith("t.yaml line 6: stages[0].grpo: verifiers[0].gate: 'fromat' is not the label of "
                + "another verifier (did you mean 'format'?); labels: format"), e);

        e = error(GATED.formatted("normalised_sum", "format"));
        assertTrue(e.startsWith("t.yaml line 4: "), e);
        assertTrue(e.contains("expected one of weighted_sum|normalized_sum") && e.contains("did you mean 'normalized_sum'"),
                e);

        e = error("stages:\n  - grpo:\n      dataset: d.jsonl\n      verifiers:\n        - format\n"
                + "        - {name: math, gate: math}\n");
        assertTrue(e.startsWith("t.yaml line 6: stages[0].grpo: verifiers[1].gate: 'math' is not the label of another"),
                e);

        e = error("stages:\n  - grpo:\n      dataset: d.jsonl\n      verifiers: [format, format]\n");
        assertTrue(e.contains("line 4") && e.contains("verifiers[1].label: two verifiers are labelled 'format'"), e);

        e = error("stages:\n  - eval:\n      dataset: t.jsonl\n      verifiers: [format, {name: math, gate: formt}]\n");
        assertTrue(e.contains("line 4") && e.contains("verifiers[1].gate: 'formt'") && e.contains("did you mean 'format'"),
                e);
        e = error("stages:\n  - eval:\n      dataset: t.jsonl\n      exact_match: {name: math, gate: format}\n");
        assertTrue(e.contains("line 4") && e.contains("exact_match.gate: the exact-match verifier stands alone"), e);
    }
}

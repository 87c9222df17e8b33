package dev.r1j.examples.countdown;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.r1j.verifiers.Sample;
import dev.r1j.verifiers.Verdict;
import dev.r1j.verifiers.Verifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CountdownVerifierTest {
    private final Verifier v = new CountdownVerifierProvider().create(Map.of());

    private Verdict verify(String completion, int target, List<Integer> nums) {
        return v.verify(new Sample("", completion, Map.of("target", target, "nums", nums)));
    }

    @Test
    void rightEquationsEarnOne() {
        assertEquals(1.0, verify("<think>25-5=20, 20*3=60</think><answer>(25-5)*3</answer>", 60, List.of(25, 5, 3)).reward());
        // precedence and left associativity, worked by hand
        assertEquals(1.0, verify("<answer>2+3*4</answer>", 14, List.of(2, 3, 4)).reward());
        assertEquals(1.0, verify("<answer>8-3-2</answer>", 3, List.of(8, 3, 2)).reward());
        assertEquals(1.0, verify("<answer>8/4/2</answer>", 1, List.of(8, 4, 2)).reward());
        // exact fractions in between: 1 - 3/4 = 1/4, 6 / (1/4) = 24
        assertEquals(1.0, verify("<answer>6/(1-3/4)</answer>", 24, List.of(1, 3, 4, 6)).reward());
        // a right-hand side equal to the target, spaces and the × ÷ signs
        assertEquals(1.0, verify("<answer> 50 ÷ 2 × 3 = 75 </answer>", 75, List.of(2, 3, 50)).reward());
        // the last answer counts
        assertEquals(1.0, verify("<answer>1+1</answer> no, <answer>4*6</answer>", 24, List.of(6, 4)).reward());
    }

    @Test
    void wrongEquationsEarnTheFormatScoreWithAReason() {
        assertWrong(verify("<answer>2+3*4</answer>", 20, List.of(2, 3, 4)), "evaluates to 14, not the target 20");
        assertWrong(verify("<answer>25*3</answer>", 75, List.of(25, 3, 5)), "leaves out [5]");
        assertWrong(verify("<answer>25*3*1</answer>", 75, List.of(25, 3)), "uses 1, which is not among [25, 3]");
        assertWrong(verify("<answer>5*5*3</answer>", 75, List.of(5, 3)), "uses 5 more often than given");
        assertWrong(verify("<answer>5/(3-3)</answer>", 1, List.of(5, 3, 3)), "division by zero");
        assertWrong(verify("<answer>-5+10</answer>", 5, List.of(5, 10)), "expected a number or '('");
        assertWrong(verify("<answer>(2+3</answer>", 5, List.of(2, 3)), "expected ')'");
        assertWrong(verify("<answer>2^3</answer>", 8, List.of(2, 3)), "unexpected '^'");
        assertWrong(verify("<answer>2+3 = 6</answer>", 5, List.of(2, 3)), "right-hand side '6' is not the target 5");
        assertWrong(verify("<answer>" + "(".repeat(300) + "</answer>", 5, List.of(2, 3)), "longer than 200");
    }

    @Test
    void noAnswerTagEarnsZero() {
        assertEquals(0.0, verify("(25-5)*3", 60, List.of(25, 5, 3)).reward());
        assertEquals(0.0, verify("<answer>(25-5)*3", 60, List.of(25, 5, 3)).reward());
    }

    @Test
    void optionsChangeTheRules() {
        Verifier subset = new CountdownVerifierProvider().create(Map.of("use_all", false, "format_score", 0));
        Sample s = new Sample("", "<answer>25*3</answer>", Map.of("target", 75, "nums", "25, 3, 5"));
        assertEquals(1.0, subset.verify(s).reward(), "at most once is enough with use_all false");
        assertEquals(0.0, subset.verify(new Sample("", "<answer>25*4</answer>", s.reference())).reward());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CountdownVerifierProvider().create(Map.of("use_al", true)));
        assertTrue(e.getMessage().contains("unknown option 'use_al'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new CountdownVerifierProvider().create(Map.of("format_score", 2)));
        assertTrue(e.getMessage().contains("format_score"), e.getMessage());
    }

    @Test
    void badReferenceIsAnErrorVerdictNamingTheField() {
        Verdict missing = v.verify(new Sample("", "<answer>1+2</answer>", Map.of("nums", List.of(1, 2))));
        assertEquals(0.0, missing.reward());
        assertTrue(missing.reason().contains("'target' is missing"), missing.reason());
        Verdict bad = v.verify(new Sample("", "<answer>1+2</answer>", Map.of("target", 3, "nums", List.of(1, "two"))));
        assertTrue(bad.reason().contains("'nums' holds two, expected an integer"), bad.reason());
        assertEquals(Boolean.TRUE, bad.details().get("error"));
    }

    /**
     * Random expression trees over random numbers, rendered fully parenthesised and evaluated here in double
     * precision (an evaluator independent of the verifier's): whenever the value is an integer, the verifier must
     * accept it as the target and reject target + 1.
     */
    @Test
    void agreesWithAnIndependentEvaluatorOnRandomEquations() {
        Random rng = new Random(7);
        int checked = 0;
        for (int trial = 0; trial < 2000; trial++) {
            List<Integer> nums = new ArrayList<>();
            int k = 2 + rng.nextInt(4);
            for (int i = 0; i < k; i++) nums.add(1 + rng.nextInt(100));
            List<Object[]> leaves = new ArrayList<>();       // {text, value}
            for (int n : nums) leaves.add(new Object[] {Integer.toString(n), (double) n});
            Collections.shuffle(leaves, rng);
            while (leaves.size() > 1) {
                Object[] a = leaves.remove(rng.nextInt(leaves.size()));
                Object[] b = leaves.remove(rng.nextInt(leaves.size()));
                double x = (double) a[1], y = (double) b[1];
                char op = "+-*/".charAt(rng.nextInt(4));
                double val = switch (op) {
                    case '+' -> x + y;
                    case '-' -> x - y;
                    case '*' -> x * y;
                    default -> x / y;
                };
                leaves.add(new Object[] {"(" + a[0] + op + b[0] + ")", val});
            }
            double value = (double) leaves.get(0)[1];
            long target = Math.round(value);
            if (!Double.isFinite(value) || Math.abs(value - target) > 1e-9 || Math.abs(value) > 1e12) continue;
            String eq = "<answer>" + leaves.get(0)[0] + "</answer>";
            assertEquals(1.0, v.verify(new Sample("", eq, Map.of("target", target, "nums", nums))).reward(), eq);
            assertEquals(0.1, v.verify(new Sample("", eq, Map.of("target", target + 1, "nums", nums))).reward(), eq);
            checked++;
        }
        assertTrue(checked > 500, "only " + checked + " integral equations checked");
    }

    private static void assertWrong(Verdict verdict, String reasonPart) {
        assertEquals(0.1, verdict.reward(), verdict.reason());
        assertTrue(verdict.reason().contains(reasonPart), "reason '" + verdict.reason() + "' lacks '" + reasonPart + "'");
    }
}

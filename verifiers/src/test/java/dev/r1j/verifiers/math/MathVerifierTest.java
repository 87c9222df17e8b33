package dev.r1j.verifiers.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.r1j.verifiers.Sample;
import dev.r1j.verifiers.Verdict;
import dev.r1j.verifiers.Verifier;
import dev.r1j.verifiers.VerifierRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MathVerifierTest {
    private static final Verifier MATH = VerifierRegistry.defaultRegistry().create("math", Map.of());

    private static Verdict verify(String completion, String answer) {
        return MATH.verify(new Sample("q", completion, Map.of("answer", answer)));
    }

    private static String extract(String completion) {
        return AnswerExtractor.extract(completion, 100_000).map(AnswerExtractor.Extraction::answer).orElse(null);
    }

    @Test
    void extractionFindsTheLastBoxWithNestedBraces() {
        assertEquals("\\frac{1}{\\sqrt{2}}", extract("First \\boxed{3}, then $\\boxed{\\frac{1}{\\sqrt{2}}}$."));
        assertEquals("\\{1,2\\}", extract("so \\boxed{\\{1,2\\}}"));
        assertEquals("7", extract("\\fbox{7}"));
        assertEquals("5", extract("the result is $\\boxed 5$."));
        assertEquals("3", extract("\\boxed{3} and an empty \\boxed{}"));
        assertEquals("42", extract("<think>maybe \\boxed{41}</think><answer>42</answer>"));
        assertEquals("x=2", extract("<think>..</think><answer>so \\boxed{x=2}</answer>"));
        assertEquals("1,600", extract("Step...\n#### 1,600\n"));
        assertEquals("42", extract("I think the answer is 42. Done."));
        assertEquals("3.5", extract("The final answer is 3.5\nThanks"));
        assertEquals("\\frac{1}{2}", extract("Answer: \\frac{1}{2}"));
        assertEquals(Optional.empty(), AnswerExtractor.extract("I have no idea.", 1000));
        assertEquals(Optional.empty(), AnswerExtractor.extract("<answer> </answer>", 1000));
    }

    @Test
    void verdictsCarryRewardReasonAndDetails() {
        Verdict ok = verify("<think>1/2+1/4</think><answer>\\boxed{\\dfrac34}</answer>", "0.75");
        assertEquals(1.0, ok.reward());
        assertEquals("correct", ok.reason());
        assertEquals("\\dfrac34", ok.details().get("extracted"));
        assertEquals("answer_tag", ok.details().get("method"));

        Verdict wrong = verify("\\boxed{0.7}", "\\frac34");
        assertEquals(0.0, wrong.reward());
        assertTrue(wrong.reason().startsWith("wrong answer: got 0.7, expected \\frac34"), wrong.reason());

        Verdict none = verify("I don't know", "5");
        assertEquals(0.0, none.reward());
        assertEquals("no answer found", none.reason());

        Verdict noRef = MATH.verify(new Sample("q", "\\boxed{1}", Map.of()));
        assertEquals(0.0, noRef.reward());
        assertTrue(noRef.reason().contains("no reference field 'answer'"), noRef.reason());
    }

    @Test
    void aWorkedSolutionAsReferenceIsReducedToItsAnswer() {
        assertEquals(1.0, verify("so \\boxed{1600}", "She pays 2*800=<<2*800=1600>>1600\n#### 1,600").reward());
        assertEquals(1.0, verify("#### 18", "... hence $\\boxed{18}$.").reward());
        assertEquals(0.0, verify("#### 17", "... hence $\\boxed{18}$.").reward());
    }

    @Test
    void optionsAreValidated() {
        VerifierRegistry reg = VerifierRegistry.defaultRegistry();
        Verifier custom = reg.create("math", Map.of("answer_key", "target", "tolerance", 1e-3));
        assertEquals(1.0, custom.verify(new Sample("", "\\boxed{3.1416}", Map.of("target", "\\pi"))).reward());
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> reg.create("math", Map.of("tolerence", 1e-3)));
        assertTrue(e.getMessage().contains("unknown option 'tolerence'") && e.getMessage().contains("tolerance"),
                e.getMessage());
    }

    // ---- hostile inputs: every case must answer (reward 0 or 1) well within a second ---------------------------

    private static Verdict fast(String completion, String answer) {
        return assertTimeoutPreemptively(Duration.ofSeconds(3), () -> verify(completion, answer));
    }

    @Test
    void megabytesOfText() {
        Random rnd = new Random(1);
        StringBuilder sb = new StringBuilder();
        String alphabet = "{}\\boxed frac ()[]^_0123456789+-*/=$ ";
        while (sb.length() < 5_000_000) {
            sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
        }
        String junk = sb.toString();
        assertEquals(1.0, fast(junk + " so \\boxed{12}", "12").reward());
        fast(junk, "12"); // whatever it extracts, it must answer
        assertEquals(0.0, fast("\\boxed{".repeat(500_000), "1").reward());
        assertEquals(0.0, fast("x".repeat(3_000_000), "1").reward());
    }

    @Test
    void deepNesting() {
        String nested = "\\boxed{" + "{".repeat(10_000) + "1" + "}".repeat(10_000) + "}";
        Verdict v = fast(nested, "1");
        assertEquals(0.0, v.reward());
        assertTrue(v.reason().contains("too long"), v.reason());
        // Within the length cap but beyond the parser's depth: compared as text, not a stack overflow.
        assertEquals(0.0, fast("\\boxed{" + "(".repeat(900) + "1" + ")".repeat(900) + "}", "2").reward());
        assertEquals(0.0, fast("\\boxed{" + "\\frac{1}{".repeat(150) + "2" + "}".repeat(150) + "}", "3").reward());
        assertEquals(0.0, fast("\\boxed{" + "-".repeat(1500) + "1}", "1").reward());
        assertEquals(0.0, fast("\\boxed{" + "\\sqrt{".repeat(300) + "2" + "}".repeat(300) + "}", "1").reward());
    }

    @Test
    void hugeNumbersAndExponents() {
        assertEquals(0.0, fast("\\boxed{9^9^9^9}", "10^10^10").reward());
        assertEquals(0.0, fast("\\boxed{9^{9^{9^{9}}}}", "9^{9^{9^{9}}}+1").reward());
        assertEquals(0.0, fast("\\boxed{1e999999}", "1e999998").reward());
        assertEquals(0.0, fast("\\boxed{10^{10^{10}}}", "10^{10^{10}} + 1").reward());
        assertEquals(0.0, fast("\\boxed{2^{100000}}", "2^{99999}").reward());
        assertEquals(0.0, fast("\\boxed{1000000!}", "999999!").reward());
        assertEquals(1.0, fast("\\boxed{1000!/999!}", "1000").reward());
        assertEquals(1.0, fast("\\boxed{2^{64}}", "18446744073709551616").reward());
        assertEquals(0.0, fast("\\boxed{" + "9".repeat(1500) + "}", "1").reward());
        assertEquals(0.0, fast("\\boxed{" + "2^".repeat(600) + "2}", "4").reward());
        assertEquals(0.0, fast("\\boxed{" + "x^".repeat(600) + "x}", "x").reward());
        assertEquals(0.0, fast("\\boxed{" + "(x+1)".repeat(300) + "}", "(x+1)^{301}").reward());
    }

    @Test
    void manyElementsAndPlusMinus() {
        String list = "1" + ",1".repeat(900);
        assertEquals(0.0, fast("\\boxed{" + list + "}", list + ",1").reward());
        assertEquals(0.0, fast("\\boxed{" + "1\\pm ".repeat(200) + "1}", "1").reward());
        String set = "\\{" + "x,".repeat(60) + "x\\}";
        fast("\\boxed{" + set + "}", set.replace("x", "y"));
    }

    @Test
    void timeBudgetBoundsTheWholeComparison() {
        // 60 distinct symbolic elements against the same set reversed: equal, but it takes ~1800 symbolic
        // comparisons. Given time (a 20 s budget, so a loaded CI machine's cold JIT cannot turn it into a timeout:
        // the default 500 ms budget made this flaky) it is judged equal; with a 1 ms budget it gives up with reward 0.
        java.util.List<String> items = new java.util.ArrayList<>();
        for (int k = 1; k <= 60; k++) {
            items.add("\\sqrt{2}+" + k + "x^{7}");
        }
        String set = "\\{" + String.join(",", items) + "\\}";
        java.util.Collections.reverse(items);
        String reversed = "\\{" + String.join(",", items) + "\\}";
        Verifier patient = new MathVerifier("answer", new MathEquivalence(1e-8, 20_000, true), 100_000);
        Verdict equal = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> patient.verify(new Sample("", "\\boxed{" + reversed + "}", Map.of("answer", set))));
        assertEquals(1.0, equal.reward(), equal.reason());

        Verifier strict = new MathVerifier("answer", new MathEquivalence(1e-8, 1, true), 100_000);
        Verdict v = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> strict.verify(new Sample("", "\\boxed{" + reversed + "}", Map.of("answer", set))));
        assertEquals(0.0, v.reward());
        assertEquals("comparison exceeded its time budget", v.reason());
    }
}

package dev.r1j.verifiers.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.r1j.verifiers.Sample;
import dev.r1j.verifiers.Verifier;
import dev.r1j.verifiers.VerifierRegistry;
import dev.r1j.verifiers.eval.EvaluationVerifiers;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The two extraction policies, the reference side, and the equivalence rules of issue 15 (hand-worked cases). */
class ExtractionPolicyTest {
    private static final Verifier STRICT = VerifierRegistry.defaultRegistry().create("math", Map.of());
    private static final Verifier LENIENT = VerifierRegistry.defaultRegistry().create("math", Map.of("extraction", "lenient"));
    private static final MathEquivalence EQ = MathEquivalence.defaults();

    private static String lenient(String text) {
        return AnswerExtractor.extract(text, 100_000, AnswerExtractor.Policy.LENIENT).map(AnswerExtractor.Extraction::answer)
                .orElse(null);
    }

    private static double score(Verifier v, String completion, String gold) {
        return v.verify(new Sample("", completion, Map.of("answer", gold))).reward();
    }

    @Test
    void strictTakesAnchorsOnlyLenientFallsBack() {
        for (String bare : new String[] {"-5", "7,425,000", "1 000", ".4", "\\frac{10}{9}"}) {
            assertEquals(Optional.empty(), AnswerExtractor.extract(bare, 1000), bare);
            assertEquals(bare, lenient(bare), bare);
        }
        assertEquals("9", lenient("Answer $ 9 $"));
        assertEquals("9", lenient("Answer \\[ 9 \\]"));
        assertEquals("9", lenient("Answer \\( 9 \\)"));
        assertEquals("9", lenient("Answer \\[\n9\n\\]"));
        // an inline $...$ does not span lines (Math-Verify's verdict on this case is "not 9" too)
        assertEquals(0.0, score(LENIENT, "Answer $\n9\n$", "9"));
        assertEquals("34", lenient("Final Answer: The largest $n$ is 34."));
        assertEquals("12", lenient("we get $d = \\frac{90}{n}$ so there are 12 sequences"), "the later of env and number");
        assertEquals("d = \\frac{90}{n}", lenient("there are 12 ways, and $d = \\frac{90}{n}$"));
        assertEquals(null, lenient("AZYUK2A"), "a digit inside a word is not a number");
        // the later "final answer" beats an earlier box in lenient mode only
        String both = "so \\boxed{200} per step. Final Answer: The final answer is $10,455$. I hope it is correct.";
        assertEquals("$10,455$", lenient(both));
        assertEquals("200", AnswerExtractor.extract(both, 100_000).get().answer());
    }

    @Test
    void boxesInARowAreOneAnswer() {
        assertEquals("1, 2, 3", AnswerExtractor.extract("\\boxed{1} and \\boxed{2} and \\boxed{3}", 1000).get().answer());
        assertEquals("1, -2", AnswerExtractor.extract("\\(\\boxed{1}\\) and \\(\\boxed{-2}\\)", 1000).get().answer());
        assertEquals("1, 2", AnswerExtractor.extract("\\boxed{1} papers and \\boxed{2} bins", 1000).get().answer());
        // a correction is not a second answer
        assertEquals("4", AnswerExtractor.extract("First \\boxed{3}, then \\boxed{4}", 1000).get().answer());
        assertEquals("2", AnswerExtractor.extract("\\boxed{1} no no no no no \\boxed{2}", 1000).get().answer());
        assertEquals(1.0, score(STRICT, "\\boxed{1} and \\boxed{2} and \\boxed{3}", "\\{1,2,3\\}"));
        assertEquals(1.0, score(STRICT, "\\boxed{-2}, \\boxed{1}", "\\(\\boxed{1}\\) and \\(\\boxed{-2}\\)"));
    }

    @Test
    void theReferenceIsAlwaysReadLeniently() {
        assertEquals("120", MathVerifier.referenceAnswer("$120$", 100_000).replace("$", ""));
        assertEquals("x = 5", MathVerifier.referenceAnswer("x = 5", 100_000));
        assertEquals("14{,}916", MathVerifier.referenceAnswer("... Therefore, $\\boxed{14{,}916}$ is our answer.", 100_000));
        assertEquals(1.0, score(STRICT, "\\boxed{(3, \\frac{\\pi}{2})}", "$(3, \\frac{\\pi}{2})$"));
        assertEquals(0.0, score(STRICT, "the answer is 5", "7"));
    }

    @Test
    void equivalenceRules() {
        // labels and relations on either side
        assertTrue(EQ.equivalent("AB=4,CD=5", "4, 5"));
        assertTrue(EQ.equivalent("(p,q)=(3,2)", "(3, 2)"));
        assertTrue(EQ.equivalent("k = 45, n = 2", "45, 2"));
        assertTrue(EQ.equivalent("S_{MBCN}:S=7:32", "7:32"));
        assertTrue(EQ.equivalent("p=5,q=2;p=7,q=2", "(5,2),(7,2)"));
        assertFalse(EQ.equivalent("x+y=5", "5"), "an equation is not a label");
        assertFalse(EQ.equivalent("x=1, y=2", "y=1, x=2"), "both sides named: names count");
        assertTrue(EQ.equivalent("x = 11", "x = 5+5+1 = 11"));
        assertTrue(EQ.equivalent("x < 1", "-x > -1"));
        assertFalse(EQ.equivalent("x < 1", "-x < -1"));
        assertTrue(EQ.equivalent("-2 \\le x \\le 7", "x \\in [-2,7]"));
        assertFalse(EQ.equivalent("x \\in [-2,7]", "-2 \\le x \\le 7"), "a set reference wants a set (Math-Verify's default)");
        // sizing and spacing
        assertTrue(EQ.equivalent("\\left( \\frac{1}{5}, \\frac{1}{6} \\right)", "\\left(\\frac{1}{5},\\frac{1}{6}\\right)"));
        // sets and several answers in any order; repeats do not make another set
        assertTrue(EQ.equivalent("(11,7) or (7,11)", "(7,11),\\ (11,7)"));
        assertTrue(EQ.equivalent("(5, 8), (8, 5)", "(x, y) = (5, 8) \\quad \\text{and} \\quad (8, 5)"));
        assertTrue(EQ.equivalent("(3,17),(5,2)", "(5,2),(3,17),(3,17)"));
        assertFalse(EQ.equivalent("(3,17),(5,2)", "(5,2),(17,3)"), "tuples stay ordered");
        // thousands separators of every kind, decimal commas where unambiguous
        for (String t : new String[] {"7,425,000", "7 425 000", "7\\,425\\,000", "7{,}425{,}000", "7\u2009425\u2009000", "7 {, }425{,}000"}) {
            assertTrue(EQ.equivalent("7425000", t), t);
        }
        assertTrue(EQ.equivalent("1000.99", "1000,99"));
        assertTrue(EQ.equivalent("1.22", "1,22"));
        assertTrue(EQ.equivalent("0.111", "0,111"));
        assertTrue(EQ.equivalent("1, 5", "1,5"), "one digit after the comma: a list");
        assertTrue(EQ.equivalent("1234", "1,234"), "three digits: thousands");
        // currency, units, percentages
        assertTrue(EQ.equivalent("1000.99", "$1,000.99"));
        assertTrue(EQ.equivalent("1000.99", "1,000.99\u20ac"));
        assertTrue(EQ.equivalent("1000.99", "1,000.99m\u00b2"));
        assertTrue(EQ.equivalent("10\\%", "10"));
        assertTrue(EQ.equivalent("10\\%", "0.1"));
        // a float rendering of a rational, but not a rounded one
        assertTrue(EQ.equivalent("\\frac{1}{12}", "0.0833333333333333"));
        assertFalse(EQ.equivalent("\\frac{1}{3}", "0.333"));
    }

    @Test
    void evaluationDefaultsToLenientRewardsToStrict() {
        String bare = "So the total is 7,425,000";
        assertEquals(0.0, score(STRICT, bare, "7425000"));
        assertEquals(1.0, score(LENIENT, bare, "7425000"));
        assertEquals(1.0, score(EvaluationVerifiers.create("math", Map.of()), bare, "7425000"));
        assertEquals(0.0, score(EvaluationVerifiers.create("math", Map.of("extraction", "strict")), bare, "7425000"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VerifierRegistry.defaultRegistry().create("math", Map.of("extraction", "loose")));
        assertTrue(e.getMessage().contains("'extraction' is 'loose', expected one of strict, lenient"), e.getMessage());
    }
}

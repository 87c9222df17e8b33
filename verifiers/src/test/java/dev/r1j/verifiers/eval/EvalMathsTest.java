package dev.r1j.verifiers.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.r1j.verifiers.math.MathEquivalence;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** pass@k against brute-force enumeration, maj@k on hand-made votes, intervals against published values. */
class EvalMathsTest {
    private static final double EPS = 1e-12;

    /** The share of the C(n, k) subsets of k samples (the first c correct) that contain a correct sample. */
    private static double bruteForce(int n, int c, int k) {
        int subsets = 0;
        int hit = 0;
        for (int mask = 0; mask < 1 << n; mask++) {
            if (Integer.bitCount(mask) != k) {
                continue;
            }
            subsets++;
            if ((mask & ((1 << c) - 1)) != 0) {
                hit++;
            }
        }
        return (double) hit / subsets;
    }

    @Test
    void passAtKMatchesEnumerationOfAllSubsets() {
        for (int n = 1; n <= 10; n++) {
            for (int c = 0; c <= n; c++) {
                for (int k = 1; k <= n; k++) {
                    assertEquals(bruteForce(n, c, k), PassAtK.estimate(n, c, k), 1e-12, "n=" + n + " c=" + c + " k=" + k);
                }
            }
        }
    }

    @Test
    void passAtKHandValuesAndStability() {
        assertEquals(0.5, PassAtK.estimate(4, 1, 2), EPS);          // 1 − C(3,2)/C(4,2) = 1 − 3/6
        assertEquals(0.3, PassAtK.estimate(10, 3, 1), EPS);         // c/n
        assertEquals(1 - 1.0 / 6, PassAtK.estimate(4, 2, 2), EPS);  // 1 − C(2,2)/C(4,2)
        // C(200,100) ~ 9e58 would overflow a long; 1 − C(199,100)/C(200,100) = 1 − 100/200
        assertEquals(0.5, PassAtK.estimate(200, 1, 100), 1e-12);
        assertEquals(0.0, PassAtK.estimate(1000, 0, 500));
        assertEquals(1.0, PassAtK.estimate(1000, 501, 500));
        assertThrows(IllegalArgumentException.class, () -> PassAtK.estimate(4, 5, 1));
        assertThrows(IllegalArgumentException.class, () -> PassAtK.estimate(4, 1, 5));
    }

    @Test
    void majorityVoteGroupsEquivalentAnswersAndBreaksTiesByFirstAppearance() {
        MathEquivalence eq = MathEquivalence.defaults();
        MajorityVote.Result tie = MajorityVote.vote(List.of("2", "3", "2.0", "3"), eq::equivalent);
        assertEquals("2", tie.answer());
        assertEquals(0, tie.index());
        assertEquals(2, tie.votes());
        assertEquals(List.of(List.of(0, 2), List.of(1, 3)), tie.clusters());
        MajorityVote.Result later = MajorityVote.vote(List.of("3", "2", "2"), eq::equivalent);
        assertEquals(1, later.index());
        MajorityVote.Result half = MajorityVote.vote(Arrays.asList("0.4", "1/2", null, "0.5", "\\frac{1}{2}"), eq::equivalent);
        assertEquals("1/2", half.answer());
        assertEquals(3, half.votes());
        MajorityVote.Result none = MajorityVote.vote(Arrays.asList(null, null), eq::equivalent);
        assertFalse(none.hasWinner());
        assertNull(none.answer());
        // with plain string equality "2" and "2.0" split, and "3" wins the tie-free vote
        assertEquals("3", MajorityVote.vote(List.of("2", "3", "2.0", "3"), String::equals).answer());
    }

    @Test
    void wilsonIntervalMatchesPublishedValues() {
        ConfidenceInterval half = ConfidenceInterval.wilson(5, 10);   // 0.2366 – 0.7634
        assertEquals(0.2366, half.low(), 1e-4);
        assertEquals(0.7634, half.high(), 1e-4);
        ConfidenceInterval zero = ConfidenceInterval.wilson(0, 10);   // 0 – 0.2775
        assertEquals(0.0, zero.low(), EPS);
        assertEquals(0.2775, zero.high(), 1e-4);
        assertEquals("wilson", ConfidenceInterval.of(new double[] {1, 0, 1}).method());
        assertEquals("bootstrap", ConfidenceInterval.of(new double[] {1, 0.5, 1}).method());
    }

    /** The library's interval against the textbook formula, kept here as the naive reference, over a grid. */
    @Test
    void wilsonIntervalMatchesTheTextbookFormula() {
        double z = ConfidenceInterval.Z95;
        for (int n : new int[] {1, 2, 7, 40, 200, 1000}) {
            for (int k = 0; k <= n; k += Math.max(1, n / 9)) {
                double p = (double) k / n;
                double centre = (p + z * z / (2 * n)) / (1 + z * z / n);
                double half = z * Math.sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / (1 + z * z / n);
                ConfidenceInterval ci = ConfidenceInterval.wilson(k, n);
                assertEquals(Math.max(0, centre - half), ci.low(), 1e-9, k + "/" + n);
                assertEquals(Math.min(1, centre + half), ci.high(), 1e-9, k + "/" + n);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> ConfidenceInterval.wilson(3, 2));
        assertThrows(IllegalArgumentException.class, () -> ConfidenceInterval.wilson(0, 0));
    }

    @Test
    void bootstrapIsReproducibleAndBracketsTheMean() {
        double[] v = {0.0, 0.25, 0.5, 0.5, 0.75, 1.0, 1.0, 0.0, 0.25, 0.75};
        ConfidenceInterval a = ConfidenceInterval.bootstrap(v, 2000, 7);
        assertEquals(a, ConfidenceInterval.bootstrap(v, 2000, 7));
        double mean = Arrays.stream(v).average().orElseThrow();
        assertTrue(a.low() < mean && mean < a.high(), a.toString());
        // the standard error is sd/√n ≈ 0.109; a 95% interval spans roughly ±1.96 of it
        double sd = Math.sqrt(Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum() / v.length);
        double width = a.high() - a.low();
        assertEquals(2 * 1.96 * sd / Math.sqrt(v.length), width, 0.08);
        ConfidenceInterval flat = ConfidenceInterval.bootstrap(new double[] {0.3, 0.3, 0.3}, 100, 1);
        assertEquals(0.3, flat.low(), EPS);
        assertEquals(0.3, flat.high(), EPS);
    }

    @Test
    void sampleResultFromAMathVerdict() {
        dev.r1j.verifiers.Verifier math = dev.r1j.verifiers.VerifierRegistry.defaultRegistry().create("math", Map.of());
        SampleResult right = SampleResult.of(math.verify(new dev.r1j.verifiers.Sample("", "so \\boxed{1/2}",
                Map.of("answer", "0.5"))), 12, false);
        assertEquals(new SampleResult("1/2", true, 12, false), right);
        SampleResult none = SampleResult.of(math.verify(new dev.r1j.verifiers.Sample("", "no idea",
                Map.of("answer", "0.5"))), 3, true);
        assertEquals(new SampleResult(null, false, 3, true), none);
    }

    private static SampleResult s(String answer, boolean correct, int len, boolean truncated) {
        return new SampleResult(answer, correct, len, truncated);
    }

    @Test
    void reportOnHandMadeResults() {
        List<ProblemResult> results = List.of(
                new ProblemResult("p1", List.of(s("5", true, 10, false), s("6", false, 20, false),
                        s("6", false, 30, true), s("7", false, 40, false))),
                new ProblemResult("p2", List.of(s(null, false, 100, true), s("1", false, 50, false),
                        s("2", false, 50, false), s("1", false, 50, false))),
                new ProblemResult("p3", List.of(s("4", true, 5, false), s("4.0", true, 5, false),
                        s("8/2", true, 5, false), s("4", true, 5, false))));
        EvalReport r = EvalReport.of(results);
        assertEquals(List.of(1, 2, 4), List.copyOf(r.passAtK().keySet()));
        // pass@1: (1/4 + 0 + 1) / 3
        assertEquals((0.25 + 0 + 1) / 3, r.pass1().value(), EPS);
        // pass@2: p1 1 − C(3,2)/C(4,2) = 0.5, p2 0, p3 1
        assertEquals(0.5, r.passAtK().get(2).value(), EPS);
        assertEquals(2.0 / 3, r.passAtK().get(4).value(), EPS);
        // maj@2: p1 votes {5} vs {6}: a tie, 5 came first and is correct; p2 no right answer; p3 right
        assertEquals(2.0 / 3, r.majAtK().get(2).value(), EPS);
        // maj@4: p1 {6, 6} wins: wrong; p3 all four equivalent: right
        assertEquals(1.0 / 3, r.majAtK().get(4).value(), EPS);
        assertEquals("wilson", r.majAtK().get(4).ci95().method());
        assertEquals("bootstrap", r.pass1().ci95().method());
        // lengths: p1 10+20+30+40, p2 100+50+50+50, p3 4·5
        assertEquals((100 + 250 + 20) / 12.0, r.meanCompletionLength(), EPS);
        assertEquals(2.0 / 12, r.truncatedShare(), EPS);
        Map<String, Object> json = r.toJson();
        assertEquals(3, json.get("problems"));
        assertEquals(r.majAtK().get(4).value(), json.get("maj@4"));
        assertEquals(List.of(r.pass1().ci95().low(), r.pass1().ci95().high()), json.get("pass@1_ci95"));
        assertThrows(IllegalArgumentException.class, () -> EvalReport.of(results, List.of(5), String::equals));
    }
}

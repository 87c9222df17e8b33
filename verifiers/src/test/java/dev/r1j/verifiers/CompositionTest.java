package dev.r1j.verifiers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.r1j.verifiers.CompositeVerifier.Combination;
import dev.r1j.verifiers.CompositeVerifier.Part;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Gates, normalise-then-sum and per-reward statistics, on values worked by hand. */
class CompositionTest {
    private static final double EPS = 1e-12;

    /** A verifier whose reward is the {@code index}-th comma-separated number of the completion. */
    private static Verifier column(String name, int index) {
        return new Verifier() {
            public String name() {
                return name;
            }

            public Verdict verify(Sample s) {
                return Verdict.of(Double.parseDouble(s.completion().split(",")[index]), name);
            }
        };
    }

    private static List<Verdict> score(Verifier v, String... completions) {
        return java.util.Arrays.stream(completions).map(c -> v.verify(new Sample("", c, Map.of()))).toList();
    }

    @Test
    void gateZeroesAPartUnlessTheGatingPartPasses() {
        CompositeVerifier c = new CompositeVerifier(List.of(
                new Part("acc", column("acc", 0), 1.0, "fmt", 1.0),
                new Part("fmt", column("fmt", 1), 0.2)));
        Verdict open = c.verify(new Sample("", "1,1", Map.of()));
        assertEquals(1.2, open.reward(), EPS);                     // 1·1 + 0.2·1
        Verdict shut = c.verify(new Sample("", "1,0", Map.of()));
        assertEquals(0.0, shut.reward(), EPS);                     // acc gated off, 0.2·0
        assertEquals(Map.of("acc", 1.0, "fmt", 0.0), CompositeVerifier.partRewards(shut));  // raw values still logged
        assertEquals(Map.of("acc", 0.0, "fmt", 0.0), CompositeVerifier.partValues(shut));
        assertEquals(List.of("acc"), shut.details().get(CompositeVerifier.GATED));
        assertTrue(shut.reason().contains("acc=1 gated by fmt"), shut.reason());
        // a lower threshold lets partial format credit open the gate
        CompositeVerifier half = new CompositeVerifier(List.of(
                new Part("acc", column("acc", 0), 1.0, "fmt", 0.5), new Part("fmt", column("fmt", 1), 0.0)));
        assertEquals(1.0, half.verify(new Sample("", "1,0.75", Map.of())).reward(), EPS);
        assertEquals(0.0, half.verify(new Sample("", "1,0.25", Map.of())).reward(), EPS);
    }

    @Test
    void gateMustNameAnotherPart() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new CompositeVerifier(List.of(
                new Part("acc", column("acc", 0), 1.0, "formt", 1.0), new Part("fmt", column("fmt", 1), 1.0))));
        assertTrue(e.getMessage().contains("'formt'") && e.getMessage().contains("acc, fmt"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new CompositeVerifier(List.of(
                new Part("acc", column("acc", 0), 1.0, "acc", 1.0))));
    }

    @Test
    void normalizedSumStandardisesEachPartOverTheGroup() {
        CompositeVerifier c = new CompositeVerifier(List.of(
                new Part("acc", column("acc", 0), 1.0),
                new Part("len", column("len", 1), 0.5),
                new Part("const", column("const", 2), 3.0)), Combination.NORMALIZED_SUM);
        List<Verdict> vs = score(c, "1,-1,7", "0,-0.5,7", "1,0,7", "0,-0.5,7");
        // acc: mean 0.5, std 0.5 → z = 1, −1, 1, −1
        // len: mean −0.5, deviations −0.5, 0, 0.5, 0 → var 0.125, std √0.125 → z = −√2, 0, √2, 0; weight 0.5
        // const: std 0 → contributes nothing
        double r2 = Math.sqrt(2);
        assertArrayEquals(new double[] {1 - 0.5 * r2, -1, 1 + 0.5 * r2, -1}, c.groupRewards(vs), EPS);
        // the per-sample reward stays the plain weighted sum: 1·1 + 0.5·(−1) + 3·7
        assertEquals(21.5, vs.get(0).reward(), EPS);
        // weighted sum mode returns those per-sample rewards
        assertArrayEquals(new double[] {21.5, 20.75, 22, 20.75},
                c.withCombination(Combination.WEIGHTED_SUM).groupRewards(vs), EPS);
        // a scale change of one part does not change its normalised contribution
        CompositeVerifier scaled = new CompositeVerifier(List.of(
                new Part("acc", column("acc", 0), 1.0), new Part("len", column("len", 1), 0.5)), Combination.NORMALIZED_SUM);
        assertArrayEquals(scaled.groupRewards(score(scaled, "1,-1", "0,-0.5", "1,0", "0,-0.5")),
                scaled.groupRewards(score(scaled, "1,-100", "0,-50", "1,0", "0,-50")), EPS);
    }

    @Test
    void normalizedSumUsesGatedValues() {
        CompositeVerifier c = new CompositeVerifier(List.of(
                new Part("acc", column("acc", 0), 1.0, "fmt", 1.0), new Part("fmt", column("fmt", 1), 0.0)),
                Combination.NORMALIZED_SUM);
        // acc raw 1, 1, 0, 0 but the second is gated off → values 1, 0, 0, 0: mean 0.25, std √0.1875
        List<Verdict> vs = score(c, "1,1", "1,0", "0,1", "0,1");
        double std = Math.sqrt(0.1875);
        assertArrayEquals(new double[] {0.75 / std, -0.25 / std, -0.25 / std, -0.25 / std}, c.groupRewards(vs), EPS);
        Verdict foreign = Verdict.of(1.0, "not a composite");
        assertThrows(IllegalArgumentException.class, () -> c.groupRewards(List.of(foreign)));
    }

    @Test
    void specsAcceptGatesAndCombinationParses() {
        VerifierRegistry reg = VerifierRegistry.defaultRegistry();
        CompositeVerifier c = CompositeVerifier.fromSpecs(reg, List.of(
                Map.of("name", "math", "gate", "format"), Map.of("name", "format", "weight", 0.1)),
                Combination.parse("normalised_sum"));
        assertEquals(Combination.NORMALIZED_SUM, c.combination());
        Verdict right = c.verify(new Sample("", "<think>2+2</think><answer>4</answer>", Map.of("answer", "4")));
        Verdict badShape = c.verify(new Sample("", "so \\boxed{4}", Map.of("answer", "4")));
        assertEquals(1.1, right.reward(), EPS);
        assertEquals(0.0, badShape.reward(), EPS);   // math is right but gated by the format
        assertEquals(1.0, CompositeVerifier.partRewards(badShape).get("math"));
        assertThrows(IllegalArgumentException.class, () -> Combination.parse("product"));
    }

    @Test
    void perRewardStatsGiveMeanAndStd() {
        CompositeVerifier c = new CompositeVerifier(List.of(
                new Part("acc", column("acc", 0), 1.0), new Part("len", column("len", 1), 1.0)));
        Map<String, RewardStats.Summary> s = RewardStats.perReward(score(c, "1,1000", "0,1002", "1,1004"));
        assertEquals(2.0 / 3, s.get("acc").mean(), EPS);
        assertEquals(Math.sqrt(2.0 / 9), s.get("acc").std(), EPS);   // deviations 1/3, −2/3, 1/3
        assertEquals(1002, s.get("len").mean(), EPS);
        assertEquals(Math.sqrt(8.0 / 3), s.get("len").std(), 1e-9);  // deviations −2, 0, 2
        assertEquals(1000, s.get("len").min());
        assertEquals(1004, s.get("len").max());
        assertEquals(List.of("acc", "len"), List.copyOf(s.keySet()));
        Map<String, RewardStats.Summary> plain = RewardStats.perReward(List.of(Verdict.of(1, ""), Verdict.of(0, "")));
        assertEquals(0.5, plain.get("reward").mean(), EPS);
    }
}

package dev.r1j.verifiers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CompositeVerifierTest {
    private static Verifier fixed(String name, double r) {
        return new Verifier() {
            public String name() {
                return name;
            }

            public Verdict verify(Sample s) {
                return Verdict.of(r, name + " reason");
            }
        };
    }

    private static final Sample S = new Sample("", "anything", Map.of());

    @Test
    void rewardIsTheWeightedSumAndDetailsCarryEachPart() {
        CompositeVerifier c = new CompositeVerifier(List.of(
                new CompositeVerifier.Part(fixed("math", 1.0), 1.0),
                new CompositeVerifier.Part(fixed("format", 0.5), 0.2),
                new CompositeVerifier.Part("len", fixed("len", -1.0), 0.5)));
        Verdict v = c.verify(S);
        assertEquals(1.0 * 1.0 + 0.2 * 0.5 + 0.5 * -1.0, v.reward(), 1e-12);
        assertEquals(Map.of("math", 1.0, "format", 0.5, "len", -1.0), CompositeVerifier.partRewards(v));
        assertTrue(v.reason().startsWith("math=1 (math reason); format=0.5"), v.reason());
        assertEquals(List.of("math", "format", "len"), List.copyOf(CompositeVerifier.partRewards(v).keySet()));
    }

    @Test
    void aThrowingPartScoresZeroInsteadOfFailingTheStep() {
        Verifier boom = new Verifier() {
            public String name() {
                return "boom";
            }

            public Verdict verify(Sample s) {
                throw new IllegalStateException("bug");
            }
        };
        Verdict v = new CompositeVerifier(List.of(new CompositeVerifier.Part(boom, 1.0),
                new CompositeVerifier.Part(fixed("ok", 1.0), 2.0))).verify(S);
        assertEquals(2.0, v.reward());
        assertEquals(0.0, CompositeVerifier.partRewards(v).get("boom"));
        assertTrue(v.reason().contains("bug"), v.reason());
    }

    @Test
    void fromSpecsBuildsPartsThroughTheRegistry() {
        VerifierRegistry reg = VerifierRegistry.of(List.of(new VerifierRegistryTest.Const("a"), new VerifierRegistryTest.Const("b")));
        CompositeVerifier c = CompositeVerifier.fromSpecs(reg, List.of(
                "a",
                Map.of("name", "b", "weight", 0.5, "options", Map.of("value", 0.5)),
                Map.of("name", "b", "label", "b2", "weight", -1)));
        Verdict v = c.verify(S);
        assertEquals(1.0 + 0.25 - 1.0, v.reward(), 1e-12);
        assertEquals(Map.of("a", 1.0, "b", 0.5, "b2", 1.0), CompositeVerifier.partRewards(v));
    }

    @Test
    void badSpecsAreClearErrors() {
        VerifierRegistry reg = VerifierRegistry.of(List.of(new VerifierRegistryTest.Const("a")));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> CompositeVerifier.fromSpecs(reg, List.of("a", "a"))).getMessage().contains("labelled 'a'"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> CompositeVerifier.fromSpecs(reg, List.of(Map.of("name", "a", "wieght", 1)))).getMessage()
                .contains("unknown option 'wieght'"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> CompositeVerifier.fromSpecs(reg, List.of(Map.of("weight", 1)))).getMessage()
                .contains("verifiers[0]: missing 'name'"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> CompositeVerifier.fromSpecs(reg, List.of("z"))).getMessage().contains("unknown verifier 'z'"));
    }
}

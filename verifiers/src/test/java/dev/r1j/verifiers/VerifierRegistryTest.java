package dev.r1j.verifiers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VerifierRegistryTest {
    /** A provider defined here, so the tests do not depend on what else is on the classpath. */
    static final class Const implements VerifierProvider {
        private final String name;

        Const(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Verifier create(Map<String, Object> options) {
            VerifierOptions o = VerifierOptions.of(name, options, "value");
            double v = o.number("value", 1.0);
            return new Verifier() {
                public String name() {
                    return name;
                }

                public Verdict verify(Sample s) {
                    return Verdict.of(v, name + " says " + v);
                }
            };
        }
    }

    static final class OtherConst implements VerifierProvider {
        public String name() {
            return "math";
        }

        public Verifier create(Map<String, Object> options) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void defaultRegistryFindsTheBundledProvidersThroughServiceLoader() {
        VerifierRegistry reg = VerifierRegistry.defaultRegistry();
        assertTrue(reg.names().contains("format"), reg.names().toString());
        assertEquals("format", reg.create("format", null).name());
    }

    @Test
    void createPassesOptionsAndNamesAreSorted() {
        VerifierRegistry reg = VerifierRegistry.of(List.of(new Const("zeta"), new Const("alpha")));
        assertEquals(List.of("alpha", "zeta"), reg.names());
        Verdict v = reg.create("zeta", Map.of("value", 0.25)).verify(new Sample("", "x", null));
        assertEquals(0.25, v.reward());
    }

    @Test
    void unknownNameListsKnownNamesAndSuggestsACloseOne() {
        VerifierRegistry reg = VerifierRegistry.of(List.of(new Const("math"), new Const("format"), new Const("code")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> reg.create("maht", Map.of()));
        assertTrue(e.getMessage().contains("unknown verifier 'maht'"), e.getMessage());
        assertTrue(e.getMessage().contains("code, format, math"), e.getMessage());
        assertTrue(e.getMessage().contains("did you mean 'math'"), e.getMessage());

        IllegalArgumentException far = assertThrows(IllegalArgumentException.class, () -> reg.create("palindrome", null));
        assertFalse(far.getMessage().contains("did you mean"), far.getMessage());
        assertTrue(far.getMessage().contains("code, format, math"), far.getMessage());
    }

    @Test
    void duplicateNamesAreAnErrorNamingBothClasses() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> VerifierRegistry.of(List.of(new Const("math"), new OtherConst())));
        assertTrue(e.getMessage().contains(Const.class.getName()), e.getMessage());
        assertTrue(e.getMessage().contains(OtherConst.class.getName()), e.getMessage());
    }

    @Test
    void unknownOptionIsAnErrorNamingItAndTheAllowedKeys() {
        VerifierRegistry reg = VerifierRegistry.of(List.of(new Const("c")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> reg.create("c", Map.of("valeu", 1)));
        assertTrue(e.getMessage().contains("'valeu'") && e.getMessage().contains("allowed options: value"), e.getMessage());
        IllegalArgumentException typed = assertThrows(IllegalArgumentException.class,
                () -> reg.create("c", Map.of("value", "lots")));
        assertTrue(typed.getMessage().contains("option 'value'") && typed.getMessage().contains("a number"),
                typed.getMessage());
    }
}

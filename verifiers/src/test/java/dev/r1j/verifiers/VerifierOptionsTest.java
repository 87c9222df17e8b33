package dev.r1j.verifiers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VerifierOptionsTest {
    @Test
    void typedGettersConvertAndDefault() {
        VerifierOptions o = VerifierOptions.of("t", Map.of("a", 3, "b", "2.5", "c", "true", "d", List.of("x", "y"), "e", 4.0),
                "a", "b", "c", "d", "e", "f");
        assertEquals(3L, o.integer("a", 0));
        assertEquals(3.0, o.number("a", 0));
        assertEquals(2.5, o.number("b", 0));
        assertTrue(o.bool("c", false));
        assertEquals(List.of("x", "y"), o.strings("d", List.of()));
        assertEquals(4L, o.integer("e", 0));
        assertEquals("dflt", o.string("f", "dflt"));
        assertEquals(7L, o.integer("f", 7));
    }

    @Test
    void badValuesNameTheOptionAndWhatWasExpected() {
        VerifierOptions o = VerifierOptions.of("t", Map.of("a", 2.5, "b", "yes", "c", 11, "m", "fast"), "a", "b", "c", "m");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> o.integer("a", 0)).getMessage()
                .contains("option 'a' is 2.5 (Double), expected a whole number"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> o.bool("b", false)).getMessage()
                .contains("option 'b' is \"yes\", expected true or false"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> o.integer("c", 0, 0, 10)).getMessage()
                .contains("in [0, 10]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> o.choice("m", "slow", "slow", "exact")).getMessage()
                .contains("expected one of slow, exact"));
    }

    @Test
    void unknownKeyIsRejectedUpFront() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VerifierOptions.of("math", Map.of("tolerance", 1e-6, "tolerence", 1), "tolerance", "percent"));
        assertEquals("verifier 'math': unknown option 'tolerence'; allowed options: percent, tolerance", e.getMessage());
    }
}

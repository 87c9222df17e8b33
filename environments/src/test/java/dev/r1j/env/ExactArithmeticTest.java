package dev.r1j.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ExactArithmeticTest {

    @Test
    void handWorkedCases() {
        assertEquals("3995", ExactArithmetic.evaluate("47*85"));
        assertEquals("84", ExactArithmetic.evaluate(" 12 * (3 + 4) "));
        assertEquals("0.5", ExactArithmetic.evaluate("1/3 + 1/6"), "a terminating decimal");
        assertEquals("2/3", ExactArithmetic.evaluate("1/3 + 1/3"));
        assertEquals("7/3", ExactArithmetic.evaluate("7/3"));
        assertEquals("0.25", ExactArithmetic.evaluate("2^-2"));
        assertEquals("0.3", ExactArithmetic.evaluate("0.1+0.2"), "decimals are exact, not binary floating point");
        assertEquals("-8", ExactArithmetic.evaluate("-2**3"));
        assertEquals("2417851639229258349412352", ExactArithmetic.evaluate("2^3^4"), "power is right-associative: 2^81");
        assertEquals("-1", ExactArithmetic.evaluate("--1-2"));
        assertEquals("1.5", ExactArithmetic.evaluate("3/2"));
        assertEquals("1000000", ExactArithmetic.evaluate("1_000_000"));
    }

    @Test
    void randomProductsAndSumsMatchBigInteger() {
        SplittableRandom rng = new SplittableRandom(7);
        for (int i = 0; i < 500; i++) {
            BigInteger a = BigInteger.valueOf(rng.nextLong(-1_000_000_000L, 1_000_000_000L));
            BigInteger b = BigInteger.valueOf(rng.nextLong(1, 1_000_000_000L));
            BigInteger c = BigInteger.valueOf(rng.nextLong(-99999, 99999));
            String expr = a + "*" + b + "-(" + c + ")";
            assertEquals(a.multiply(b).subtract(c).toString(), ExactArithmetic.evaluate(expr), expr);
        }
    }

    @Test
    void badInputSaysWhere() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ExactArithmetic.evaluate("1/(2-2)"));
        assertTrue(e.getMessage().startsWith("division by zero"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ExactArithmetic.evaluate("3 + x"));
        assertEquals("unexpected 'x' at character 5 of '3 + x'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ExactArithmetic.evaluate("(1+2"));
        assertTrue(e.getMessage().contains("is not closed"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ExactArithmetic.evaluate("2^0.5"));
        assertThrows(IllegalArgumentException.class, () -> ExactArithmetic.evaluate("9^9^9"), "bounded, not computed");
        assertThrows(IllegalArgumentException.class, () -> ExactArithmetic.evaluate(""));
        assertThrows(IllegalArgumentException.class, () -> ExactArithmetic.evaluate("(".repeat(1000) + "1" + ")".repeat(1000)));
        assertThrows(IllegalArgumentException.class, () -> ExactArithmetic.evaluate("1.2.3"));
    }
}

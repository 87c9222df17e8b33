package dev.r1j.env;

import java.math.BigDecimal;
import java.math.BigInteger;
import org.apache.commons.math3.fraction.BigFraction;

/**
 * Exact rational arithmetic on an expression: {@code + - * / ^} (also {@code **}), parentheses, unary signs, integers
 * and decimals ({@code 1.25}); the result as an integer, a terminating decimal, or a fraction {@code p/q}. Sizes are
 * bounded (input length, exponent, bits of any value) so no input takes long or fills memory. The calculator tool's
 * evaluator; the math verifier's parser reads LaTeX answers, a different language.
 *
 * <pre>{@code
 * ExactArithmetic.evaluate("47*85")        // "3995"
 * ExactArithmetic.evaluate("1/3 + 1/3")    // "2/3"
 * ExactArithmetic.evaluate("2^-2")         // "0.25"
 * }</pre>
 */
public final class ExactArithmetic {
    static final int MAX_INPUT = 2000;
    static final int MAX_BITS = 1 << 16;
    static final int MAX_DEPTH = 200;

    private final String s;
    private int pos;
    private int depth;

    private ExactArithmetic(String s) {
        this.s = s;
    }

    /** The exact value of {@code expression}; a bad expression is an {@link IllegalArgumentException} saying where. */
    public static String evaluate(String expression) {
        String e = expression.strip();
        if (e.length() > MAX_INPUT) throw new IllegalArgumentException("expression longer than " + MAX_INPUT + " characters");
        if (e.isEmpty()) throw new IllegalArgumentException("empty expression");
        ExactArithmetic p = new ExactArithmetic(e);
        BigFraction v = p.sum();
        p.skipSpaces();
        if (p.pos < e.length()) throw p.error("unexpected '" + e.charAt(p.pos) + "'");
        return format(v);
    }

    /** An integer, a terminating decimal, or {@code p/q} in lowest terms. */
    static String format(BigFraction v) {
        BigInteger den = v.getDenominator();
        if (den.equals(BigInteger.ONE)) return v.getNumerator().toString();
        BigInteger d = den;
        int twos = 0, fives = 0;
        while (!d.testBit(0)) {
            d = d.shiftRight(1);
            twos++;
        }
        BigInteger five = BigInteger.valueOf(5);
        while (d.mod(five).signum() == 0) {
            d = d.divide(five);
            fives++;
        }
        if (d.equals(BigInteger.ONE)) {
            int scale = Math.max(twos, fives);
            return new BigDecimal(v.getNumerator()).divide(new BigDecimal(den)).setScale(scale).toPlainString();
        }
        return v.getNumerator() + "/" + den;
    }

    private BigFraction sum() {
        BigFraction v = product();
        while (true) {
            skipSpaces();
            if (peek('+')) {
                pos++;
                v = checked(v.add(product()));
            } else if (peek('-')) {
                pos++;
                v = checked(v.subtract(product()));
            } else {
                return v;
            }
        }
    }

    private BigFraction product() {
        BigFraction v = power();
        while (true) {
            skipSpaces();
            if (peek('*') && !s.startsWith("**", pos)) {
                pos++;
                v = checked(v.multiply(power()));
            } else if (peek('/')) {
                pos++;
                BigFraction d = power();
                if (d.getNumerator().signum() == 0) throw error("division by zero");
                v = checked(v.divide(d));
            } else {
                return v;
            }
        }
    }

    private BigFraction power() {
        BigFraction base = unary();
        skipSpaces();
        int at = pos;
        if (peek('^') || s.startsWith("**", pos)) {
            pos += peek('^') ? 1 : 2;
            BigFraction exp = power(); // right-associative
            if (!exp.getDenominator().equals(BigInteger.ONE)) throw error("exponent must be an integer", at);
            if (exp.getNumerator().abs().compareTo(BigInteger.valueOf(MAX_BITS)) > 0) throw error("exponent too large", at);
            int n = exp.getNumerator().intValueExact();
            long bits = (long) Math.abs(n) * Math.max(base.getNumerator().bitLength(), base.getDenominator().bitLength());
            if (bits > MAX_BITS) throw error("result too large", at);
            if (n < 0 && base.getNumerator().signum() == 0) throw error("division by zero", at);
            return n >= 0 ? base.pow(n) : base.reciprocal().pow(-n);
        }
        return base;
    }

    private BigFraction unary() {
        skipSpaces();
        if (peek('-')) {
            pos++;
            return nested(() -> unary()).negate();
        }
        if (peek('+')) {
            pos++;
            return nested(this::unary);
        }
        return primary();
    }

    private BigFraction primary() {
        skipSpaces();
        if (peek('(')) {
            int open = pos++;
            BigFraction v = nested(this::sum);
            skipSpaces();
            if (!peek(')')) throw error("'(' at " + (open + 1) + " is not closed");
            pos++;
            return v;
        }
        int start = pos;
        while (pos < s.length() && (Character.isDigit(s.charAt(pos)) || s.charAt(pos) == '.' || s.charAt(pos) == '_')) pos++;
        if (start == pos) {
            throw pos < s.length() ? error("unexpected '" + s.charAt(pos) + "'") : error("expression ends too early");
        }
        String number = s.substring(start, pos).replace("_", "");
        try {
            BigDecimal d = new BigDecimal(number);
            return checked(d.scale() <= 0 ? new BigFraction(d.toBigIntegerExact())
                    : new BigFraction(d.unscaledValue(), BigInteger.TEN.pow(d.scale())));
        } catch (NumberFormatException | ArithmeticException e) {
            throw error("bad number '" + number + "'", start);
        }
    }

    private BigFraction nested(java.util.function.Supplier<BigFraction> f) {
        if (++depth > MAX_DEPTH) throw error("expression nested too deeply");
        try {
            return f.get();
        } finally {
            depth--;
        }
    }

    private BigFraction checked(BigFraction v) {
        if (v.getNumerator().bitLength() > MAX_BITS || v.getDenominator().bitLength() > MAX_BITS) {
            throw error("result too large");
        }
        return v;
    }

    private boolean peek(char c) {
        return pos < s.length() && s.charAt(pos) == c;
    }

    private void skipSpaces() {
        while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) pos++;
    }

    private IllegalArgumentException error(String what) {
        return error(what, pos);
    }

    private IllegalArgumentException error(String what, int at) {
        return new IllegalArgumentException(what + " at character " + (at + 1) + " of '" + s + "'");
    }
}

package dev.r1j.examples.countdown;

import java.math.BigInteger;

/**
 * An exact fraction in lowest terms with a positive denominator. Countdown solutions may pass through fractions
 * ({@code 6/(1-3/4) = 24}), which floating point would round; exact arithmetic judges them right.
 *
 * <pre>{@code
 * Rational.of(3).divide(Rational.of(4));   // 3/4
 * }</pre>
 */
record Rational(BigInteger num, BigInteger den) {
    Rational {
        if (den.signum() == 0) throw new ArithmeticException("division by zero");
        if (den.signum() < 0) {
            num = num.negate();
            den = den.negate();
        }
        BigInteger g = num.gcd(den);
        if (!g.equals(BigInteger.ONE) && g.signum() != 0) {
            num = num.divide(g);
            den = den.divide(g);
        }
    }

    static Rational of(long n) {
        return new Rational(BigInteger.valueOf(n), BigInteger.ONE);
    }

    static Rational of(BigInteger n) {
        return new Rational(n, BigInteger.ONE);
    }

    Rational add(Rational o) {
        return new Rational(num.multiply(o.den).add(o.num.multiply(den)), den.multiply(o.den));
    }

    Rational subtract(Rational o) {
        return new Rational(num.multiply(o.den).subtract(o.num.multiply(den)), den.multiply(o.den));
    }

    Rational multiply(Rational o) {
        return new Rational(num.multiply(o.num), den.multiply(o.den));
    }

    /** @throws ArithmeticException when {@code o} is zero */
    Rational divide(Rational o) {
        return new Rational(num.multiply(o.den), den.multiply(o.num));
    }

    @Override
    public String toString() {
        return den.equals(BigInteger.ONE) ? num.toString() : num + "/" + den;
    }
}

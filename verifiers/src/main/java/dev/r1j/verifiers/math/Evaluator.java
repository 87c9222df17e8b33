package dev.r1j.verifiers.math;

import java.math.BigInteger;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.commons.math3.fraction.BigFraction;

/**
 * Evaluates scalar {@link Node}s, exactly as rationals where possible and otherwise in double precision.
 * Sizes are capped so that no input can make it build astronomically large numbers: a power whose exact result
 * would exceed {@link #MAX_EXACT_BITS} bits is left to floating point, where it overflows to a signalled
 * {@link Overflow} instead of an infinity that would compare equal to every other overflow.
 */
final class Evaluator {
    static final long MAX_EXACT_BITS = 1 << 16;
    static final int MAX_FACTORIAL = 1000;

    /** A finite expression whose value does not fit a double (e.g. {@code 9^9^9^9}). */
    static final class Overflow extends RuntimeException {
        Overflow() {
            super("overflow", null, false, false);
        }
    }

    /** Not a scalar, or a construct with no numeric value. */
    static final class NotScalar extends RuntimeException {
        NotScalar(String what) {
            super(what, null, false, false);
        }
    }

    private static final BigFraction HUNDRED = new BigFraction(100);
    private static final Set<String> CONSTANTS = Set.of("pi", "e", "infty");

    private Evaluator() {}

    /** The exact rational value, or {@code null} when the node is not a rational constant we can compute cheaply. */
    static BigFraction exact(Node n, boolean percentDivides, Budget budget) {
        budget.step();
        if (n instanceof Node.Num num) {
            return num.value();
        }
        if (n instanceof Node.Neg neg) {
            BigFraction a = exact(neg.arg(), percentDivides, budget);
            return a == null ? null : a.negate();
        }
        if (n instanceof Node.Percent p) {
            BigFraction a = exact(p.arg(), percentDivides, budget);
            return a == null ? null : percentDivides ? a.divide(HUNDRED) : a;
        }
        if (n instanceof Node.Bin b) {
            BigFraction x = exact(b.left(), percentDivides, budget);
            if (x == null) {
                return null;
            }
            BigFraction y = exact(b.right(), percentDivides, budget);
            if (y == null) {
                return null;
            }
            return switch (b.op()) {
                case '+' -> x.add(y);
                case '-' -> x.subtract(y);
                case '*' -> x.multiply(y);
                case '/' -> y.getNumerator().signum() == 0 ? null : x.divide(y);
                case '^' -> pow(x, y);
                default -> null;
            };
        }
        if (n instanceof Node.Fn f) {
            BigFraction a = exact(f.arg(), percentDivides, budget);
            if (a == null) {
                return null;
            }
            switch (f.name()) {
                case "sqrt":
                    if (f.extra() != null) {
                        BigFraction idx = exact(f.extra(), percentDivides, budget);
                        return idx == null || !isInt(idx) ? null : root(a, idx.getNumerator());
                    }
                    return root(a, BigInteger.TWO);
                case "abs":
                    return a.abs();
                case "floor":
                    return new BigFraction(floor(a));
                case "ceil":
                    return new BigFraction(floor(a.negate()).negate());
                case "fact":
                    if (!isInt(a) || a.getNumerator().signum() < 0 || a.getNumerator().bitLength() > 31
                            || a.getNumerator().intValue() > MAX_FACTORIAL) {
                        return null;
                    }
                    BigInteger r = BigInteger.ONE;
                    for (int i = 2; i <= a.getNumerator().intValue(); i++) {
                        budget.step();
                        r = r.multiply(BigInteger.valueOf(i));
                    }
                    return new BigFraction(r);
                case "binom":
                    BigFraction k = exact(f.extra(), percentDivides, budget);
                    if (k == null || !isInt(a) || !isInt(k) || a.getNumerator().bitLength() > 20
                            || k.getNumerator().bitLength() > 20) {
                        return null;
                    }
                    return binom(a.getNumerator().intValue(), k.getNumerator().intValue(), budget);
                default:
                    return null;
            }
        }
        return null;
    }

    private static BigFraction pow(BigFraction x, BigFraction y) {
        if (!isInt(y)) {
            // x^(p/q) is rational only for perfect powers; the common case is square roots.
            if (y.getDenominator().bitLength() > 8 || y.getNumerator().bitLength() > 16) {
                return null;
            }
            BigFraction r = root(x, y.getDenominator());
            return r == null ? null : pow(r, new BigFraction(y.getNumerator()));
        }
        BigInteger e = y.getNumerator();
        if (x.equals(BigFraction.ONE)) {
            return x;
        }
        if (x.getNumerator().signum() == 0) {
            return e.signum() > 0 ? BigFraction.ZERO : null;
        }
        if (x.equals(BigFraction.MINUS_ONE)) {
            return e.testBit(0) ? x : BigFraction.ONE;
        }
        long bits = Math.max(x.getNumerator().bitLength(), x.getDenominator().bitLength());
        if (e.bitLength() > 31 || bits * Math.abs(e.longValue()) > MAX_EXACT_BITS) {
            return null;
        }
        int ei = e.intValue();
        BigFraction r = x.pow(Math.abs(ei));
        return ei < 0 ? r.reciprocal() : r;
    }

    /** The exact k-th root of a non-negative rational, or null when it is not rational. */
    private static BigFraction root(BigFraction a, BigInteger k) {
        if (k.signum() <= 0 || k.bitLength() > 8) {
            return null;
        }
        int ki = k.intValue();
        boolean neg = a.getNumerator().signum() < 0;
        if (neg && ki % 2 == 0) {
            return null;
        }
        BigInteger n = iroot(a.getNumerator().abs(), ki);
        BigInteger d = iroot(a.getDenominator(), ki);
        if (n == null || d == null) {
            return null;
        }
        BigFraction r = new BigFraction(n, d);
        return neg ? r.negate() : r;
    }

    private static BigInteger iroot(BigInteger v, int k) {
        if (k == 1) {
            return v;
        }
        if (k == 2) {
            BigInteger r = v.sqrt();
            return r.multiply(r).equals(v) ? r : null;
        }
        double approx = Math.pow(v.doubleValue(), 1.0 / k);
        if (!Double.isFinite(approx)) {
            return null;
        }
        BigInteger guess = BigInteger.valueOf(Math.round(approx));
        for (int delta = -1; delta <= 1; delta++) {
            BigInteger g = guess.add(BigInteger.valueOf(delta));
            if (g.signum() >= 0 && g.pow(k).equals(v)) {
                return g;
            }
        }
        return null;
    }

    private static BigFraction binom(int n, int k, Budget budget) {
        if (n < 0 || k < 0 || k > n) {
            return k >= 0 && n >= 0 ? BigFraction.ZERO : null;
        }
        k = Math.min(k, n - k);
        BigInteger r = BigInteger.ONE;
        for (int i = 1; i <= k; i++) {
            budget.step();
            r = r.multiply(BigInteger.valueOf(n - k + i)).divide(BigInteger.valueOf(i));
        }
        return new BigFraction(r);
    }

    private static BigInteger floor(BigFraction a) {
        BigInteger[] qr = a.getNumerator().divideAndRemainder(a.getDenominator());
        return qr[1].signum() < 0 ? qr[0].subtract(BigInteger.ONE) : qr[0];
    }

    static boolean isInt(BigFraction f) {
        return f.getDenominator().equals(BigInteger.ONE);
    }

    /**
     * The double value with {@code vars} bound. NaN for values outside a function's domain (sqrt of a negative);
     * {@link Overflow} when finite operands give an infinite result.
     */
    static double numeric(Node n, Map<String, Double> vars, boolean percentDivides, Budget budget) {
        budget.step();
        if (n instanceof Node.Num num) {
            double d = num.value().doubleValue();
            if (Double.isInfinite(d)) {
                throw new Overflow();
            }
            return d;
        }
        if (n instanceof Node.Sym sym) {
            switch (sym.name()) {
                case "pi":
                    return Math.PI;
                case "e":
                    return Math.E;
                case "infty":
                    return Double.POSITIVE_INFINITY;
                default:
                    Double v = vars.get(sym.name());
                    if (v == null) {
                        throw new NotScalar("unbound " + sym.name());
                    }
                    return v;
            }
        }
        if (n instanceof Node.Neg neg) {
            return -numeric(neg.arg(), vars, percentDivides, budget);
        }
        if (n instanceof Node.Percent p) {
            double a = numeric(p.arg(), vars, percentDivides, budget);
            return percentDivides ? a / 100 : a;
        }
        if (n instanceof Node.Bin b) {
            double x = numeric(b.left(), vars, percentDivides, budget);
            double y = numeric(b.right(), vars, percentDivides, budget);
            double r = switch (b.op()) {
                case '+' -> x + y;
                case '-' -> x - y;
                case '*' -> x * y;
                case '/' -> x / y;
                case '^' -> Math.pow(x, y);
                default -> throw new NotScalar("operator " + b.op());
            };
            if (Double.isInfinite(r) && Double.isFinite(x) && Double.isFinite(y) && !(b.op() == '/' && y == 0)) {
                throw new Overflow();
            }
            return r;
        }
        if (n instanceof Node.Fn f) {
            double a = numeric(f.arg(), vars, percentDivides, budget);
            double r = switch (f.name()) {
                case "sqrt" -> f.extra() == null ? Math.sqrt(a) : nthRoot(a, numeric(f.extra(), vars, percentDivides, budget));
                case "abs" -> Math.abs(a);
                case "floor" -> Math.floor(a);
                case "ceil" -> Math.ceil(a);
                case "sin" -> Math.sin(a);
                case "cos" -> Math.cos(a);
                case "tan" -> Math.tan(a);
                case "cot" -> 1 / Math.tan(a);
                case "sec" -> 1 / Math.cos(a);
                case "csc" -> 1 / Math.sin(a);
                case "arcsin" -> Math.asin(a);
                case "arccos" -> Math.acos(a);
                case "arctan" -> Math.atan(a);
                case "sinh" -> Math.sinh(a);
                case "cosh" -> Math.cosh(a);
                case "tanh" -> Math.tanh(a);
                case "ln" -> Math.log(a);
                case "log" -> f.extra() == null ? Math.log(a) : Math.log(a) / Math.log(numeric(f.extra(), vars, percentDivides, budget));
                case "exp" -> Math.exp(a);
                case "fact" -> factorial(a);
                case "binom" -> {
                    double k = numeric(f.extra(), vars, percentDivides, budget);
                    yield Math.exp(logGamma(a + 1) - logGamma(k + 1) - logGamma(a - k + 1));
                }
                default -> throw new NotScalar("function " + f.name());
            };
            if (Double.isInfinite(r) && Double.isFinite(a)) {
                throw new Overflow();
            }
            return r;
        }
        throw new NotScalar(n.getClass().getSimpleName());
    }

    private static double nthRoot(double a, double k) {
        if (a < 0 && k == Math.rint(k) && ((long) k) % 2 == 1) {
            return -Math.pow(-a, 1 / k);
        }
        return Math.pow(a, 1 / k);
    }

    private static double factorial(double a) {
        if (a != Math.rint(a) || a < 0) {
            return Double.NaN;
        }
        if (a > 170) {
            throw new Overflow();
        }
        double r = 1;
        for (int i = 2; i <= (int) a; i++) {
            r *= i;
        }
        return r;
    }

    private static double logGamma(double x) {
        return org.apache.commons.math3.special.Gamma.logGamma(x);
    }

    /** The free variables of a node (every symbol except pi, e and infinity). */
    static Set<String> freeVariables(Node n) {
        Set<String> out = new TreeSet<>();
        collect(n, out);
        return out;
    }

    private static void collect(Node n, Set<String> out) {
        if (n instanceof Node.Sym s) {
            if (!CONSTANTS.contains(s.name())) {
                out.add(s.name());
            }
        } else if (n instanceof Node.Bin b) {
            collect(b.left(), out);
            collect(b.right(), out);
        } else if (n instanceof Node.Neg g) {
            collect(g.arg(), out);
        } else if (n instanceof Node.Percent p) {
            collect(p.arg(), out);
        } else if (n instanceof Node.Fn f) {
            collect(f.arg(), out);
            if (f.extra() != null) {
                collect(f.extra(), out);
            }
        } else if (n instanceof Node.Rel r) {
            collect(r.left(), out);
            collect(r.right(), out);
        }
    }

    /** Whether the node contains a percent sign (then both readings are tried). */
    static boolean hasPercent(Node n) {
        if (n instanceof Node.Percent) {
            return true;
        }
        if (n instanceof Node.Bin b) {
            return hasPercent(b.left()) || hasPercent(b.right());
        }
        if (n instanceof Node.Neg g) {
            return hasPercent(g.arg());
        }
        if (n instanceof Node.Fn f) {
            return hasPercent(f.arg()) || (f.extra() != null && hasPercent(f.extra()));
        }
        return false;
    }

    static Map<String, Double> noVariables() {
        return Map.of();
    }
}

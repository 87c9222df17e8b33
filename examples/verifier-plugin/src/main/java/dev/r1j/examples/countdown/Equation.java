package dev.r1j.examples.countdown;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * A Countdown equation: non-negative integers combined with {@code + - * /} and parentheses, with the usual
 * precedence and left associativity ({@code 8-3-2 = 3}). No unary minus, no concatenation of numbers, no other
 * operators: the game allows none. {@code ×} and {@code ÷} are read as {@code *} and {@code /}.
 *
 * <pre>{@code
 * Equation e = Equation.parse("6/(1-3/4)");
 * e.value();      // 24
 * e.numbers();    // [6, 1, 3, 4]
 * }</pre>
 *
 * @param value the exact value
 * @param numbers the integer literals in order of appearance
 */
record Equation(Rational value, List<BigInteger> numbers) {

    /** Why an equation could not be read or evaluated; the message says where. */
    static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message);
        }
    }

    /**
     * Parses and evaluates {@code text}. Runs in time linear in its length; callers bound the length (the parser
     * recurses once per nesting level of parentheses).
     *
     * @throws Invalid for a syntax error (with the character position) or a division by zero
     */
    static Equation parse(String text) throws Invalid {
        Parser p = new Parser(text.replace('×', '*').replace('÷', '/'));
        Rational v = p.expression();
        p.skipSpaces();
        if (p.pos < p.s.length()) throw p.error("unexpected '" + p.s.charAt(p.pos) + "'");
        return new Equation(v, List.copyOf(p.numbers));
    }

    /** Recursive descent: expression := term (('+'|'-') term)*; term := factor (('*'|'/') factor)*. */
    private static final class Parser {
        final String s;
        int pos;
        final List<BigInteger> numbers = new ArrayList<>();

        Parser(String s) {
            this.s = s;
        }

        Rational expression() throws Invalid {
            Rational v = term();
            for (char op = peek(); op == '+' || op == '-'; op = peek()) {
                pos++;
                Rational r = term();
                v = op == '+' ? v.add(r) : v.subtract(r);
            }
            return v;
        }

        Rational term() throws Invalid {
            Rational v = factor();
            for (char op = peek(); op == '*' || op == '/'; op = peek()) {
                int at = pos++;
                Rational r = factor();
                if (op == '*') {
                    v = v.multiply(r);
                } else if (r.num().signum() == 0) {
                    throw new Invalid("division by zero at position " + at);
                } else {
                    v = v.divide(r);
                }
            }
            return v;
        }

        Rational factor() throws Invalid {
            char c = peek();
            if (c == '(') {
                pos++;
                Rational v = expression();
                if (peek() != ')') throw error("expected ')'");
                pos++;
                return v;
            }
            if (c >= '0' && c <= '9') {
                int start = pos;
                while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') pos++;
                BigInteger n = new BigInteger(s.substring(start, pos));
                numbers.add(n);
                return Rational.of(n);
            }
            throw error(c == 0 ? "unexpected end, expected a number or '('" : "expected a number or '(', got '" + c + "'");
        }

        /** The next non-space character, or 0 at the end. */
        char peek() {
            skipSpaces();
            return pos < s.length() ? s.charAt(pos) : 0;
        }

        void skipSpaces() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) pos++;
        }

        Invalid error(String what) {
            return new Invalid(what + " at position " + pos + " of '" + s + "'");
        }
    }
}

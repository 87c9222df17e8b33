package dev.r1j.verifiers.math;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.commons.math3.fraction.BigFraction;

/**
 * Decides whether two answers are mathematically the same. Both are normalised ({@link AnswerNormalizer}) and,
 * when not textually identical, parsed ({@link MathParser}) and compared:
 * <ul>
 *   <li>numbers exactly as rationals where both sides are rational ({@code 0.5 = \frac12 = 1/2}, but
 *       {@code 0.333 ≠ \frac13});</li>
 *   <li>otherwise numerically with relative tolerance {@code tolerance} ({@code \frac{\sqrt3}{2} = \sqrt{3}/2});</li>
 *   <li>expressions with variables by evaluation at several pseudo-random points ({@code 3-13x = -13x+3});</li>
 *   <li>tuples and intervals element-wise in order, with their brackets ({@code (1,2] ≠ (1,2)}); sets, bare lists
 *       ({@code 3, 5, 7}), {@code \pm} answers and unions as multisets; matrices element-wise;</li>
 *   <li>{@code x = 3} or {@code x \in [1,2]} against a bare value compares the right-hand side; equations by
 *       proportionality of {@code lhs - rhs};</li>
 *   <li>multiple-choice letters by letter; anything that does not parse as mathematics by normalised text.</li>
 * </ul>
 * <b>Percentages.</b> A {@code %} may be read either as "per hundred" or as a unit to drop: {@code 50%} equals
 * {@code 50}, {@code 0.5} and {@code \frac12}; without a {@code %} on either side, {@code 0.5 ≠ 50}. Training data
 * phrase percentage questions both ways, and neither reading is wrong for the solver.
 *
 * <p>Every comparison runs under a time and step budget; an exhausted budget is "not equivalent".
 *
 * <pre>{@code
 * MathEquivalence eq = MathEquivalence.defaults();
 * eq.equivalent("\\frac{1}{2}", "0.5");            // true
 * eq.equivalent("(1,2]", "(1,2)");                  // false
 * }</pre>
 */
public final class MathEquivalence {
    /** The outcome and how it was reached: {@code same text}, {@code choice}, {@code math}, {@code text}, {@code timeout}, {@code too long}, {@code empty}. */
    public record Judgement(boolean equivalent, String how) {}

    public static final double DEFAULT_TOLERANCE = 1e-8;
    public static final long DEFAULT_TIMEOUT_MS = 500;
    /** Answers longer than this (after extraction) are compared as text only. */
    public static final int MAX_ANSWER_CHARS = 2000;
    static final long MAX_STEPS = 2_000_000;
    private static final int MAX_ITEMS = 64;
    private static final int MAX_PM_EXPANSIONS = 16;

    private final double tolerance;
    private final long timeoutMillis;
    private final boolean textShortcut;

    public MathEquivalence(double tolerance, long timeoutMillis) {
        this(tolerance, timeoutMillis, true);
    }

    /** {@code textShortcut=false} forces every pair through the parser (used by tests to check the parser itself). */
    MathEquivalence(double tolerance, long timeoutMillis, boolean textShortcut) {
        if (!(tolerance >= 0 && tolerance < 1)) {
            throw new IllegalArgumentException("tolerance must be in [0, 1), got " + tolerance);
        }
        this.tolerance = tolerance;
        this.timeoutMillis = timeoutMillis;
        this.textShortcut = textShortcut;
    }

    public static MathEquivalence defaults() {
        return new MathEquivalence(DEFAULT_TOLERANCE, DEFAULT_TIMEOUT_MS);
    }

    public boolean equivalent(String reference, String candidate) {
        return judge(reference, candidate).equivalent();
    }

    public Judgement judge(String reference, String candidate) {
        if (reference == null || candidate == null) {
            return new Judgement(false, "empty");
        }
        Budget budget = new Budget(timeoutMillis, MAX_STEPS);
        if (reference.length() > MAX_ANSWER_CHARS || candidate.length() > MAX_ANSWER_CHARS) {
            return new Judgement(reference.strip().equals(candidate.strip()), "too long");
        }
        try {
            String r = AnswerNormalizer.normalize(reference);
            String c = AnswerNormalizer.normalize(candidate);
            if (r.isEmpty() || c.isEmpty()) {
                return new Judgement(false, "empty");
            }
            if (textShortcut && r.replace(" ", "").equals(c.replace(" ", ""))) {
                return new Judgement(true, "same text");
            }
            if ((r.indexOf('=') >= 0) != (c.indexOf('=') >= 0)) {
                // only one side names its values (AB=4, CD=5 against 4, 5): compare the values
                if (r.indexOf('=') >= 0) {
                    r = AnswerNormalizer.stripLabels(r);
                } else {
                    c = AnswerNormalizer.stripLabels(c);
                }
            }
            Character letter = AnswerNormalizer.choiceLetter(r);
            Character chosen = letter == null ? null : AnswerNormalizer.chosenLetter(c);
            if (chosen != null) {
                return new Judgement(letter.equals(chosen), "choice");
            }
            Node nr;
            Node nc;
            try {
                nr = MathParser.parse(r, budget);
                nc = MathParser.parse(c, budget);
            } catch (MathParser.ParseException e) {
                return new Judgement(AnswerNormalizer.textKey(r).equals(AnswerNormalizer.textKey(c)), "text");
            }
            if (nc instanceof Node.Rel rc && rc.op().equals(Node.BETWEEN) && (nr instanceof Node.Union
                    || nr instanceof Node.Seq sr && !sr.isBare() || nr instanceof Node.Rel rr && rr.op().equals("∈"))) {
                // Math-Verify's default: a reference given as a set or interval wants a set, not the inequality
                // -2 \le x \le 7 (the other way round, a set answering an inequality, is accepted)
                return new Judgement(false, "form");
            }
            return new Judgement(new Comparison(budget).equiv(nr, nc), "math");
        } catch (Budget.Exceeded e) {
            return new Judgement(false, "timeout");
        }
    }

    /** One comparison's state: the budget it spends. */
    private final class Comparison {
        private final Budget budget;

        Comparison(Budget budget) {
            this.budget = budget;
        }

        boolean equiv(Node a, Node b) {
            budget.step();
            List<Node> ea = expandPm(a);
            List<Node> eb = expandPm(b);
            if (ea == null || eb == null) {
                return false;
            }
            if (ea.size() > 1 || eb.size() > 1) {
                // "1 \pm \sqrt2" stands for two answers, comparable with a list or set of them.
                return multiset(asElements(ea), asElements(eb));
            }
            a = ea.get(0);
            b = eb.get(0);
            if (a instanceof Node.Rel ra && !(b instanceof Node.Rel) && isBinding(ra)) {
                return equiv(ra.right(), b);
            }
            if (b instanceof Node.Rel rb && !(a instanceof Node.Rel) && isBinding(rb)) {
                return equiv(a, rb.right());
            }
            if (a instanceof Node.Rel ra && b instanceof Node.Rel rb) {
                return relations(ra, rb);
            }
            if (a instanceof Node.Seq sa && b instanceof Node.Seq sb) {
                return sequences(sa, sb);
            }
            if (a instanceof Node.Union ua && b instanceof Node.Union ub) {
                return multiset(ua.parts(), ub.parts());
            }
            if (a instanceof Node.Matrix ma && b instanceof Node.Matrix mb) {
                return matrices(ma, mb);
            }
            if (a instanceof Node.Matrix ma && b instanceof Node.Seq sb) {
                return vector(ma, sb);
            }
            if (b instanceof Node.Matrix mb && a instanceof Node.Seq sa) {
                return vector(mb, sa);
            }
            if (a instanceof Node.Seq sa && sa.isBare() && !isStructure(b)) {
                return multiset(flatten(sa), List.of(b)); // "15\frac{39}{40}, \frac{639}{40}": one value twice
            }
            if (b instanceof Node.Seq sb && sb.isBare() && !isStructure(a)) {
                return multiset(List.of(a), flatten(sb));
            }
            if (isStructure(a) || isStructure(b)) {
                return false;
            }
            return scalars(a, b);
        }

        private List<Node> asElements(List<Node> expansions) {
            if (expansions.size() == 1 && expansions.get(0) instanceof Node.Seq s && (s.isBare() || s.isSet())) {
                return flatten(s);
            }
            return expansions;
        }

        private boolean isBinding(Node.Rel r) {
            if (r.op().equals("=") && Evaluator.freeVariables(r.left()).isEmpty() && !isStructure(r.left())
                    && Evaluator.freeVariables(r.right()).isEmpty()) {
                return true; // \frac{1}{2} = \frac{10}{9}: a computation whose last member is the answer
            }
            return (r.op().equals("=") || r.op().equals("∈") || r.op().equals(Node.BETWEEN)) && isLabel(r.left());
        }

        /**
         * A name for the value on the other side: a variable, a product or ratio of variables ({@code AB},
         * {@code f(x)} as parsed, {@code \frac{NO}{BO}}), {@code |AB|}, or a tuple of variables {@code (p, q)}.
         */
        private boolean isLabel(Node n) {
            if (n instanceof Node.Sym s) {
                return !s.name().equals("pi") && !s.name().equals("e") && !s.name().equals("infty");
            }
            if (n instanceof Node.Bin b) {
                return (b.op() == '*' || b.op() == '/') && isLabel(b.left()) && isLabel(b.right());
            }
            if (n instanceof Node.Fn f) {
                return f.name().equals("abs") && f.extra() == null && isLabel(f.arg());
            }
            if (n instanceof Node.Seq q) {
                return q.open().equals("(") && !q.items().isEmpty() && q.items().stream().allMatch(this::isLabel);
            }
            return false;
        }

        private boolean isStructure(Node n) {
            return n instanceof Node.Seq || n instanceof Node.Union || n instanceof Node.Matrix || n instanceof Node.Rel;
        }

        private boolean relations(Node.Rel a, Node.Rel b) {
            Node.Rel x = canonical(a.op().equals(Node.BETWEEN) ? new Node.Rel("∈", a.left(), a.right()) : a);
            Node.Rel y = canonical(b.op().equals(Node.BETWEEN) ? new Node.Rel("∈", b.left(), b.right()) : b);
            if (!x.op().equals(y.op())) {
                return false;
            }
            if (equiv(x.left(), y.left()) && equiv(x.right(), y.right())) {
                return true;
            }
            boolean symmetric = x.op().equals("=") || x.op().equals("≠");
            if (symmetric && equiv(x.left(), y.right()) && equiv(x.right(), y.left())) {
                return true;
            }
            if (x.op().equals("=")) {
                return proportionalEquations(x, y, false);
            }
            // -x > -1 is x < 1: both say right − left > 0 of proportional expressions, with a positive factor
            return (x.op().equals("<") || x.op().equals("≤")) && proportionalEquations(x, y, true);
        }

        /** {@code a > b} as {@code b < a}, {@code a ≥ b} as {@code b ≤ a}. */
        private Node.Rel canonical(Node.Rel r) {
            return switch (r.op()) {
                case ">" -> new Node.Rel("<", r.right(), r.left());
                case "≥" -> new Node.Rel("≤", r.right(), r.left());
                default -> r;
            };
        }

        /** {@code l1 = r1} and {@code l2 = r2} describe the same set when l1-r1 = k·(l2-r2) for a constant k ≠ 0. */
        private boolean proportionalEquations(Node.Rel a, Node.Rel b, boolean positive) {
            Node da = new Node.Bin('-', a.left(), a.right());
            Node db = new Node.Bin('-', b.left(), b.right());
            Set<String> vars = new TreeSet<>(Evaluator.freeVariables(da));
            vars.addAll(Evaluator.freeVariables(db));
            if (vars.isEmpty()) {
                return false;
            }
            Random rnd = new Random(0x5EEDL);
            Double ratio = null;
            int valid = 0;
            for (int trial = 0; trial < 12 && valid < 6; trial++) {
                Map<String, Double> point = randomPoint(vars, rnd);
                try {
                    double x = Evaluator.numeric(da, point, false, budget);
                    double y = Evaluator.numeric(db, point, false, budget);
                    if (!Double.isFinite(x) || !Double.isFinite(y)) {
                        continue;
                    }
                    if (Math.abs(y) < 1e-9 || Math.abs(x) < 1e-9) {
                        if (!close(x, y, 1e-9)) {
                            return false;
                        }
                        continue;
                    }
                    double k = x / y;
                    if (ratio == null) {
                        ratio = k;
                    } else if (!close(ratio, k, tolerance)) {
                        return false;
                    }
                    valid++;
                } catch (Evaluator.Overflow | Evaluator.NotScalar e) {
                    return false;
                }
            }
            return valid >= 3 && (!positive || ratio > 0);
        }

        private boolean sequences(Node.Seq a, Node.Seq b) {
            if (a.isSet() || b.isSet()) {
                if (!(a.isSet() || a.isBare()) || !(b.isSet() || b.isBare())) {
                    return false; // a set is not a tuple or an interval
                }
                return multiset(flatten(a), flatten(b));
            }
            if (a.isBare() && b.isBare()) {
                return multiset(flatten(a), flatten(b));
            }
            if (a.isBare() || b.isBare()) {
                Node.Seq t = a.isBare() ? b : a;
                // "1, 2" may stand for the tuple (1, 2), not for an interval with a bracket.
                return t.open().equals("(") && t.close().equals(")") && ordered(a.items(), b.items());
            }
            return a.open().equals(b.open()) && a.close().equals(b.close()) && ordered(a.items(), b.items());
        }

        private List<Node> flatten(Node.Seq s) {
            List<Node> out = new ArrayList<>();
            for (Node n : s.items()) {
                List<Node> e = expandPm(n);
                if (e == null) {
                    return List.of();
                }
                out.addAll(e);
            }
            return out;
        }

        private boolean ordered(List<Node> a, List<Node> b) {
            if (a.size() != b.size()) {
                return false;
            }
            for (int i = 0; i < a.size(); i++) {
                if (!equiv(a.get(i), b.get(i))) {
                    return false;
                }
            }
            return true;
        }

        /**
         * Set equality under {@link #equiv}: a list of solutions is a set, so a repeated element does not make it
         * another answer ({@code (3,17), (3,17), (5,2)} = {@code (5,2), (3,17)}). Equal sizes are matched one to one
         * (greedy matching is enough because equivalence is transitive); otherwise each side must cover the other.
         */
        private boolean multiset(List<Node> a, List<Node> b) {
            if (a.size() > MAX_ITEMS || b.size() > MAX_ITEMS) {
                return false;
            }
            if (a.size() != b.size()) {
                return covers(a, b) && covers(b, a);
            }
            boolean[] used = new boolean[b.size()];
            outer:
            for (Node x : a) {
                for (int j = 0; j < b.size(); j++) {
                    if (!used[j] && equiv(x, b.get(j))) {
                        used[j] = true;
                        continue outer;
                    }
                }
                return false;
            }
            return true;
        }

        private boolean covers(List<Node> a, List<Node> b) {
            outer:
            for (Node x : a) {
                for (Node y : b) {
                    if (equiv(x, y)) {
                        continue outer;
                    }
                }
                return false;
            }
            return true;
        }

        private boolean matrices(Node.Matrix a, Node.Matrix b) {
            if (a.rows().size() != b.rows().size()) {
                return false;
            }
            for (int i = 0; i < a.rows().size(); i++) {
                if (!ordered(a.rows().get(i), b.rows().get(i))) {
                    return false;
                }
            }
            return true;
        }

        /** A column or row vector written as a tuple {@code (1, 2, 3)}. */
        private boolean vector(Node.Matrix m, Node.Seq s) {
            if (!(s.open().equals("(") || s.isBare())) {
                return false;
            }
            List<Node> flat = new ArrayList<>();
            for (List<Node> row : m.rows()) {
                flat.addAll(row);
            }
            boolean isVector = m.rows().size() == 1 || m.rows().get(0).size() == 1;
            return isVector && ordered(flat, s.items());
        }

        private boolean scalars(Node a, Node b) {
            if (a instanceof Node.Lit || b instanceof Node.Lit) {
                return a.equals(b);
            }
            boolean[] pa = Evaluator.hasPercent(a) ? new boolean[] {false, true} : new boolean[] {false};
            boolean[] pb = Evaluator.hasPercent(b) ? new boolean[] {false, true} : new boolean[] {false};
            for (boolean x : pa) {
                for (boolean y : pb) {
                    if (scalars(a, x, b, y)) {
                        return true;
                    }
                }
            }
            return false;
        }

        private boolean scalars(Node a, boolean pctA, Node b, boolean pctB) {
            BigFraction x = Evaluator.exact(a, pctA, budget);
            BigFraction y = Evaluator.exact(b, pctB, budget);
            if (x != null && y != null) {
                if (x.equals(y)) {
                    return true;
                }
                // 0.0833333333333333 is 1/12 printed as a float; 0.333 is not 1/3
                return (longDecimal(x) || longDecimal(y)) && close(x.doubleValue(), y.doubleValue(), 1e-9);
            }
            Set<String> vars = new TreeSet<>(Evaluator.freeVariables(a));
            vars.addAll(Evaluator.freeVariables(b));
            try {
                if (vars.isEmpty()) {
                    return close(Evaluator.numeric(a, Map.of(), pctA, budget), Evaluator.numeric(b, Map.of(), pctB, budget),
                            tolerance);
                }
                Random rnd = new Random(0x5EEDL);
                int valid = 0;
                for (int trial = 0; trial < 12 && valid < 5; trial++) {
                    Map<String, Double> point = randomPoint(vars, rnd);
                    double u = Evaluator.numeric(a, point, pctA, budget);
                    double v = Evaluator.numeric(b, point, pctB, budget);
                    if (Double.isNaN(u) && Double.isNaN(v)) {
                        continue; // outside both domains at this point
                    }
                    if (!close(u, v, tolerance)) {
                        return false;
                    }
                    valid++;
                }
                return valid >= 3;
            } catch (Evaluator.Overflow | Evaluator.NotScalar e) {
                return false;
            }
        }

        /** A decimal with ten or more places (its reduced denominator is 2^i 5^j ≥ 10^10). */
        private boolean longDecimal(BigFraction f) {
            java.math.BigInteger d = f.getDenominator();
            if (d.bitLength() < 34) {
                return false;
            }
            java.math.BigInteger two = java.math.BigInteger.TWO;
            java.math.BigInteger five = java.math.BigInteger.valueOf(5);
            while (d.mod(two).signum() == 0) {
                d = d.divide(two);
            }
            while (d.mod(five).signum() == 0) {
                d = d.divide(five);
            }
            return d.equals(java.math.BigInteger.ONE);
        }

        private Map<String, Double> randomPoint(Set<String> vars, Random rnd) {
            Map<String, Double> point = new TreeMap<>();
            for (String v : vars) {
                point.put(v, 0.25 + 1.5 * rnd.nextDouble());
            }
            return point;
        }

        /** The answers a {@code \pm} stands for (one for nodes without it); null when there would be too many. */
        private List<Node> expandPm(Node n) {
            budget.step();
            if (n instanceof Node.Bin b) {
                List<Node> ls = expandPm(b.left());
                List<Node> rs = expandPm(b.right());
                if (ls == null || rs == null || ls.size() * rs.size() * (b.op() == Node.PM ? 2 : 1) > MAX_PM_EXPANSIONS) {
                    return null;
                }
                if (ls.size() == 1 && rs.size() == 1 && b.op() != Node.PM) {
                    return List.of(n);
                }
                List<Node> out = new ArrayList<>();
                for (Node l : ls) {
                    for (Node r : rs) {
                        if (b.op() == Node.PM) {
                            out.add(new Node.Bin('+', l, r));
                            out.add(new Node.Bin('-', l, r));
                        } else {
                            out.add(new Node.Bin(b.op(), l, r));
                        }
                    }
                }
                return out;
            }
            if (n instanceof Node.Neg g) {
                List<Node> e = expandPm(g.arg());
                return e == null ? null : e.size() == 1 ? List.of(n) : e.stream().map(x -> (Node) new Node.Neg(x)).toList();
            }
            if (n instanceof Node.Fn f) {
                List<Node> e = expandPm(f.arg());
                return e == null ? null : e.size() == 1 ? List.of(n)
                        : e.stream().map(x -> (Node) new Node.Fn(f.name(), x, f.extra())).toList();
            }
            if (n instanceof Node.Rel r) {
                List<Node> e = expandPm(r.right());
                return e == null ? null : e.size() == 1 ? List.of(n)
                        : e.stream().map(x -> (Node) new Node.Rel(r.op(), r.left(), x)).toList();
            }
            return List.of(n);
        }
    }

    static boolean close(double x, double y, double tol) {
        if (x == y) {
            return true; // also equal infinities (an interval's end at \infty)
        }
        if (!Double.isFinite(x) || !Double.isFinite(y)) {
            return false;
        }
        // Purely relative: an absolute floor would make all tiny answers equal to each other.
        return Math.abs(x - y) <= tol * Math.max(Math.abs(x), Math.abs(y));
    }
}

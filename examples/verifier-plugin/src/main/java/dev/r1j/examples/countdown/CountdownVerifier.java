package dev.r1j.examples.countdown;

import dev.r1j.verifiers.Sample;
import dev.r1j.verifiers.Verdict;
import dev.r1j.verifiers.Verifier;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Countdown arithmetic game as a reward (the task of TinyZero, Pan et al. 2025): the completion's last
 * {@code <answer>…</answer>} must hold an equation over the puzzle's numbers that equals the target.
 * <ul>
 *   <li>1.0: the equation is valid, uses the numbers as allowed, and equals the target exactly;</li>
 *   <li>{@code formatScore} (TinyZero's 0.1): an equation is there but it is malformed, uses a number that was
 *       not given (or one too often), leaves a number out when {@code useAll}, divides by zero, or misses the
 *       target;</li>
 *   <li>0: no {@code <answer>} tag.</li>
 * </ul>
 * A right-hand side is allowed ({@code 25*3-5 = 70}) but must be the target. Arithmetic is exact (fractions are
 * allowed in between, as in {@code 6/(1-3/4)}). Thread-safe: it holds only immutable settings.
 *
 * <pre>{@code
 * Verifier v = new CountdownVerifier(0.1, true, 200);
 * v.verify(new Sample("", "<answer>6/(1-3/4)</answer>", Map.of("target", 24, "nums", List.of(1, 3, 4, 6)))).reward();  // 1.0
 * }</pre>
 */
public final class CountdownVerifier implements Verifier {
    private static final String OPEN = "<answer>";
    private static final String CLOSE = "</answer>";

    private final double formatScore;
    private final boolean useAll;
    private final int maxEquationChars;

    /**
     * @param formatScore reward of a well-tagged but wrong equation
     * @param useAll every number must be used exactly once (TinyZero's rule); false: each at most once
     * @param maxEquationChars longer answers are judged wrong without parsing (bounded time on any input)
     */
    public CountdownVerifier(double formatScore, boolean useAll, int maxEquationChars) {
        this.formatScore = formatScore;
        this.useAll = useAll;
        this.maxEquationChars = maxEquationChars;
    }

    @Override
    public String name() {
        return "countdown";
    }

    @Override
    public Verdict verify(Sample sample) {
        CountdownProblem problem;
        try {
            problem = CountdownProblem.from(sample);
        } catch (IllegalArgumentException e) {
            return Verdict.error(e.getMessage());
        }
        String c = sample.completion();
        int close = c.lastIndexOf(CLOSE);
        int open = close < 0 ? -1 : c.lastIndexOf(OPEN, close);
        if (open < 0) return Verdict.of(0.0, "no <answer>…</answer> equation");
        String answer = c.substring(open + OPEN.length(), close).strip();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("equation", answer);
        if (answer.length() > maxEquationChars) {
            return wrong("equation longer than " + maxEquationChars + " characters", details);
        }
        String lhs = answer;
        int eq = answer.indexOf('=');
        if (eq >= 0) {
            lhs = answer.substring(0, eq);
            String rhs = answer.substring(eq + 1).strip();
            if (!rhs.equals(problem.target().toString())) {
                return wrong("right-hand side '" + rhs + "' is not the target " + problem.target(), details);
            }
        }
        Equation e;
        try {
            e = Equation.parse(lhs);
        } catch (Equation.Invalid ex) {
            return wrong("invalid equation: " + ex.getMessage(), details);
        }
        details.put("value", e.value().toString());
        String misuse = misuse(e.numbers(), problem.numbers());
        if (misuse != null) return wrong(misuse, details);
        if (!e.value().equals(Rational.of(problem.target()))) {
            return wrong("equation evaluates to " + e.value() + ", not the target " + problem.target(), details);
        }
        return new Verdict(1.0, "reaches " + problem.target() + " with " + e.numbers(), details);
    }

    private Verdict wrong(String reason, Map<String, Object> details) {
        return new Verdict(formatScore, reason, details);
    }

    /** What is wrong with the numbers the equation uses, or null when they respect the rules. */
    private String misuse(List<BigInteger> used, List<BigInteger> given) {
        List<BigInteger> left = new ArrayList<>(given);
        for (BigInteger n : used) {
            if (!left.remove(n)) {
                return given.contains(n) ? "uses " + n + " more often than given " + given
                        : "uses " + n + ", which is not among " + given;
            }
        }
        if (useAll && !left.isEmpty()) return "leaves out " + left + " (every number must be used once)";
        return null;
    }
}

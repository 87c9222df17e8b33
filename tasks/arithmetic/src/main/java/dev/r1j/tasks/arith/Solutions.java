package dev.r1j.tasks.arith;

import dev.r1j.tasks.arith.Problem;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes completions for a {@link Problem}: the careful digit-by-digit worked solution (optionally with one
 * deliberate slip), and the sloppy "no carry" shortcut answer.
 *
 * <p>A worked solution walks the digits from the right, one comma-separated step per digit, writing the carry
 * (or borrow) into the next step only when it is non-zero; missing digits of a shorter operand are 0:
 * <pre>{@code
 * 347+185=  <think>7+5=12,4+8+1=13,3+1+1=5</think><answer>532</answer>
 * 532-185=  <think>12-5=7,13-8-1=4,5-1-1=3</think><answer>347</answer>
 * 347*6=    <think>7*6=42,4*6+4=28,3*6+2=20</think><answer>2082</answer>
 * }</pre>
 * The answer is read off the steps: the last step's full result, then the units digit of each earlier step
 * from last to first (leading zeros dropped). A subtraction step that needs a borrow writes the digit with a
 * leading 1 ({@code 12-5=7}) and passes a borrow of 1 on.
 */
public final class Solutions {
    private Solutions() {}

    /** The careful worked solution; always correct. */
    public static String worked(Problem p) {
        return render(steps(p, -1, 0));
    }

    /**
     * A worked solution with one slip: step {@code slipStep} (0 = units) writes a result off by {@code delta}
     * (+1 or -1); later steps and the answer follow the written (wrong) result consistently, so the final
     * answer is wrong by exactly {@code delta * 10^slipStep}.
     */
    public static String withSlip(Problem p, int slipStep, int delta) {
        if (delta != 1 && delta != -1) throw new IllegalArgumentException("delta must be +1 or -1, got " + delta);
        int n = numSteps(p);
        if (slipStep < 0 || slipStep >= n) {
            throw new IllegalArgumentException("slipStep must be in [0, " + n + "), got " + slipStep);
        }
        return render(steps(p, slipStep, delta));
    }

    /** Number of digit steps a worked solution of {@code p} has. */
    public static int numSteps(Problem p) {
        return p.op() == '*' ? digits(p.a()).length : Math.max(digits(p.a()).length, digits(p.b()).length);
    }

    /** Whether step {@code k} of {@code p} can slip by {@code delta} (the written result stays a valid number). */
    public static boolean canSlip(Problem p, int k, int delta) {
        List<Step> s = steps(p, -1, 0);
        int r = s.get(k).result;
        int after = r + delta;
        if (after < 0) return false;
        // a subtraction step writes a single digit
        return p.op() != '-' || after <= 9;
    }

    /**
     * The sloppy shortcut: each digit combined without carries or borrows (subtraction takes the absolute
     * difference of each digit pair, the classic "smaller from larger" error). Right exactly when the problem
     * needs no carry/borrow.
     */
    public static String noCarryAnswer(Problem p) {
        int[] x = digits(p.a());
        int[] y = p.op() == '*' ? new int[] {(int) p.b()} : digits(p.b());
        int n = numSteps(p);
        StringBuilder sb = new StringBuilder();
        for (int i = n - 1; i >= 0; i--) {
            int xi = digit(x, i);
            int r = switch (p.op()) {
                case '+' -> xi + digit(y, i);
                case '-' -> Math.abs(xi - digit(y, i));
                default -> xi * y[0];
            };
            sb.append(i == n - 1 ? Integer.toString(r) : Integer.toString(r % 10));
        }
        return stripZeros(sb.toString());
    }

    /** Whether the problem needs at least one carry (or borrow); the shortcut is wrong exactly then. */
    public static boolean needsCarry(Problem p) {
        return !noCarryAnswer(p).equals(Long.toString(p.answer()));
    }

    record Step(String text, int result) {}

    private static List<Step> steps(Problem p, int slipStep, int delta) {
        int[] x = digits(p.a());
        int[] y = p.op() == '*' ? new int[] {(int) p.b()} : digits(p.b());
        int n = numSteps(p);
        List<Step> out = new ArrayList<>(n);
        int carry = 0;
        for (int i = 0; i < n; i++) {
            int xi = digit(x, i);
            String text;
            int r;
            switch (p.op()) {
                case '+' -> {
                    int yi = digit(y, i);
                    r = xi + yi + carry;
                    if (i == slipStep) r += delta;
                    text = xi + "+" + yi + (carry > 0 ? "+" + carry : "") + "=" + r;
                    carry = r / 10;
                }
                case '-' -> {
                    int yi = digit(y, i);
                    boolean borrow = xi - carry < yi;
                    r = (borrow ? 10 : 0) + xi - yi - carry;
                    if (i == slipStep) r += delta;
                    text = (borrow ? "1" : "") + xi + "-" + yi + (carry > 0 ? "-" + carry : "") + "=" + r;
                    carry = borrow ? 1 : 0;
                }
                default -> {
                    r = xi * y[0] + carry;
                    if (i == slipStep) r += delta;
                    text = xi + "*" + y[0] + (carry > 0 ? "+" + carry : "") + "=" + r;
                    carry = r / 10;
                }
            }
            out.add(new Step(text, r));
        }
        return out;
    }

    private static String render(List<Step> steps) {
        StringBuilder think = new StringBuilder("<think>");
        for (int i = 0; i < steps.size(); i++) {
            if (i > 0) think.append(',');
            think.append(steps.get(i).text);
        }
        StringBuilder answer = new StringBuilder(Integer.toString(steps.get(steps.size() - 1).result));
        for (int i = steps.size() - 2; i >= 0; i--) answer.append(steps.get(i).result % 10);
        return think.append("</think><answer>").append(stripZeros(answer.toString())).append("</answer>").toString();
    }

    static String stripZeros(String s) {
        int i = 0;
        while (i < s.length() - 1 && s.charAt(i) == '0') i++;
        return s.substring(i);
    }

    /** Digits of {@code v}, units first. */
    static int[] digits(long v) {
        String s = Long.toString(v);
        int[] d = new int[s.length()];
        for (int i = 0; i < d.length; i++) d[i] = s.charAt(s.length() - 1 - i) - '0';
        return d;
    }

    private static int digit(int[] d, int i) {
        return i < d.length ? d[i] : 0;
    }
}

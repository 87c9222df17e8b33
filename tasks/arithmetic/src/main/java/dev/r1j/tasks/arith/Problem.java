package dev.r1j.tasks.arith;

/**
 * One arithmetic problem: {@code a op b} with {@code op} one of {@code + - *}. Subtraction keeps
 * {@code a >= b} (no negative answers); multiplication has a one-digit {@code b}.
 *
 * <pre>{@code
 * Problem p = new Problem(347, '+', 185);
 * p.prompt();  // "347+185="
 * p.answer();  // 532
 * }</pre>
 */
public record Problem(long a, char op, long b) {
    public Problem {
        if (a < 0 || b < 0) throw new IllegalArgumentException("operands must be >= 0, got " + a + " and " + b);
        switch (op) {
            case '+' -> { }
            case '-' -> {
                if (a < b) throw new IllegalArgumentException("subtraction needs a >= b, got " + a + "-" + b);
            }
            case '*' -> {
                if (b > 9) throw new IllegalArgumentException("multiplication needs a one-digit b, got " + b);
            }
            default -> throw new IllegalArgumentException("op must be one of + - *, got '" + op + "'");
        }
    }

    /** The exact answer. */
    public long answer() {
        return switch (op) {
            case '+' -> a + b;
            case '-' -> a - b;
            default -> a * b;
        };
    }

    /** The prompt the model sees, e.g. {@code "347+185="}. */
    public String prompt() {
        return "" + a + op + b + "=";
    }

    /** Parses a prompt written by {@link #prompt()}; anything else is an IllegalArgumentException. */
    public static Problem parse(String prompt) {
        String s = prompt.strip();
        if (!s.endsWith("=")) throw new IllegalArgumentException("not an arithmetic prompt (no trailing '='): " + prompt);
        s = s.substring(0, s.length() - 1);
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '+' || c == '-' || c == '*') {
                try {
                    return new Problem(Long.parseLong(s.substring(0, i)), c, Long.parseLong(s.substring(i + 1)));
                } catch (NumberFormatException e) {
                    break;
                }
            }
        }
        throw new IllegalArgumentException("not an arithmetic prompt (expected like 347+185=): " + prompt);
    }
}

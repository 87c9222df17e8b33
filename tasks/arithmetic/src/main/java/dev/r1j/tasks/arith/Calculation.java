package dev.r1j.tasks.arith;

/**
 * One problem of the tool task ({@link ToolArithmeticTask}): {@code a op b} with {@code op} one of {@code + - *} and
 * operands of any length (unlike {@link Problem}, whose multiplier is one digit). Subtraction keeps {@code a >= b}.
 * The answer must fit a {@code long}.
 *
 * <pre>{@code
 * Calculation c = new Calculation(347, '*', 68);
 * c.prompt();      // "347*68="
 * c.expression();  // "347*68"
 * c.answer();      // 23596
 * }</pre>
 */
public record Calculation(long a, char op, long b) {
    public Calculation {
        if (a < 0 || b < 0) throw new IllegalArgumentException("operands must be >= 0, got " + a + " and " + b);
        switch (op) {
            case '+', '*' -> { }
            case '-' -> {
                if (a < b) throw new IllegalArgumentException("subtraction needs a >= b, got " + a + "-" + b);
            }
            default -> throw new IllegalArgumentException("op must be one of + - *, got '" + op + "'");
        }
        if (op == '*') Math.multiplyExact(a, b);   // ArithmeticException when the answer does not fit a long
        if (op == '+') Math.addExact(a, b);
    }

    /** The exact answer. */
    public long answer() {
        return switch (op) {
            case '+' -> a + b;
            case '-' -> a - b;
            default -> a * b;
        };
    }

    /** The expression as a tool gets it, e.g. {@code "347*68"}. */
    public String expression() {
        return "" + a + op + b;
    }

    /** The prompt the model sees, e.g. {@code "347*68="}. */
    public String prompt() {
        return expression() + "=";
    }
}

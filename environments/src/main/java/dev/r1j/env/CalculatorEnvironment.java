package dev.r1j.env;

import java.util.List;

/**
 * The {@code calculator} tool: exact arithmetic in-process ({@link ExactArithmetic}). Argument {@code expression}
 * (Hermes) or {@code code} (a {@code ```calculator} block's body); output the value, or an error saying where the
 * expression is wrong.
 *
 * <pre>{@code
 * new CalculatorEnvironment().respond(new ToolCall("calculator", Map.of("expression", "12*(3+4)")), Conversation.start(""))
 * // Observation "84"
 * }</pre>
 */
public final class CalculatorEnvironment implements Environment {
    public static final String NAME = "calculator";

    @Override
    public List<String> tools() {
        return List.of(NAME);
    }

    @Override
    public Observation respond(ToolCall call, Conversation conversation) {
        Object e = call.arguments().containsKey("expression") ? call.arguments().get("expression")
                : call.arguments().get(ToolCallFormat.CODE_ARGUMENT);
        if (!(e instanceof String expression)) {
            return Observation.error("calculator needs a string argument 'expression'");
        }
        try {
            return Observation.of(ExactArithmetic.evaluate(expression));
        } catch (IllegalArgumentException | ArithmeticException ex) {
            return Observation.error(ex.getMessage());
        }
    }

    /** Provides {@code calculator}; it has no options. */
    public static final class Provider implements EnvironmentProvider {
        @Override
        public String name() {
            return NAME;
        }

        @Override
        public String description() {
            return "exact arithmetic (+ - * / ^, parentheses, decimals) in-process";
        }

        @Override
        public Environment create(EnvironmentConfig config) {
            if (!config.options().isEmpty()) {
                throw new IllegalArgumentException("environment 'calculator' has no options, got " + config.options().keySet());
            }
            return new CalculatorEnvironment();
        }
    }
}

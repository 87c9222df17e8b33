package dev.r1j.tasks.arith;

import java.util.Locale;

/**
 * The text of a tool-using completion of the tool task, in the tool-integrated-reasoning ({@code code_block}) format
 * of the {@code environments} module: the model writes a fenced block whose info string names the tool, the
 * environment appends the tool's output as an output block, the model answers. With the {@code calculator} tool:
 * <pre>{@code
 * 347*68=```calculator
 * 347*68
 * ```                          <- the model's turn ends at the closing fence
 * ```output                    <- from the newline before it: the environment's observation
 * 23596
 * ```
 * <answer>23596</answer>       <- the model again, then EOS
 * }</pre>
 * With the {@code python} tool the block is {@code ```python\nprint(347*68)\n```} and the output the same. The
 * first and last parts are the model's ({@link #call}, {@link #answer}); the middle one ({@link #observation}) is
 * what the environment writes after the call, character for character, so that a model trained on the corpus
 * continues after a real observation as it learned to.
 */
public final class ToolTranscript {
    /** The tool the corpus calls; its name is the code block's info string and the environment's name. */
    public enum Tool {
        CALCULATOR, PYTHON;

        /** The environment's and the code block's name, e.g. {@code calculator}. */
        public String environmentName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private ToolTranscript() {}

    /** The model's tool call for {@code c}: a code block that computes the expression (and prints it, in python). */
    public static String call(Tool tool, Calculation c) {
        String body = tool == Tool.PYTHON ? "print(" + c.expression() + ")" : c.expression();
        return "```" + tool.environmentName() + "\n" + body + "\n```";
    }

    /**
     * What the environment appends after a call (which ends with the closing fence) whose tool printed
     * {@code output}: a newline, then the output block with a trailing newline ensured.
     */
    public static String observation(String output) {
        String body = output.isEmpty() || output.endsWith("\n") ? output : output + "\n";
        return "\n```output\n" + body + "```\n";
    }

    /** The model's final answer. */
    public static String answer(String value) {
        return "<answer>" + value + "</answer>";
    }
}

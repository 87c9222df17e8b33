package dev.r1j.verifiers.eval;

/**
 * GSM8K's reference answer: the text after the last {@code ####} of a solution, stripped, without thousands
 * separators ({@code "... #### 1,200"} gives {@code 1200}). The one reading of that layout, for training data
 * ({@code answer_format: gsm8k}) and the bundled benchmark alike; a model's own {@code ####} line is the
 * math verifier's answer extraction, not this.
 *
 * <pre>{@code
 * Gsm8kAnswer.parse("48/2 = 24 clips in May.\n#### 72");   // "72"
 * Gsm8kAnswer.parse("no marker");                           // null
 * }</pre>
 */
public final class Gsm8kAnswer {
    /** The marker before the answer. */
    public static final String MARKER = "####";

    private Gsm8kAnswer() {}

    /** The answer after the last {@link #MARKER}, or {@code null} when there is none (it may be empty). */
    public static String parse(String solution) {
        int at = solution.lastIndexOf(MARKER);
        if (at < 0) return null;
        return solution.substring(at + MARKER.length()).strip().replace(",", "");
    }
}

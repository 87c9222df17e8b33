package dev.r1j.tasks.arith;

import dev.r1j.core.tokenizer.CharTokenizer;

/**
 * The alphabet and character tokenizer of the tool task ({@link ToolArithmeticTask}): a newline and every printable
 * ASCII character. Wider than {@link ArithmeticVocabulary}'s because tool calls and their results are code and
 * program output: backticks, parentheses, quotes, braces, upper-case letters of error messages. An observation
 * with a character outside it (a non-ASCII error message) cannot be encoded by the {@link CharTokenizer}, so the
 * alphabet takes all of printable ASCII rather than only what the corpus writes.
 *
 * <pre>{@code
 * CharTokenizer tok = ToolVocabulary.tokenizer();
 * tok.encode("```python\nprint(347*68)\n```");   // one id per character
 * }</pre>
 */
public final class ToolVocabulary {
    /** {@code '\n'}, then the printable ASCII characters {@code ' '..'~'} in code order; the order is the ids' order. */
    public static final String ALPHABET = alphabet();

    private ToolVocabulary() {}

    /** A character tokenizer over {@link #ALPHABET} (ids 0-2 are pad, bos, eos), without a chat template. */
    public static CharTokenizer tokenizer() {
        return new CharTokenizer(ALPHABET, null);
    }

    private static String alphabet() {
        StringBuilder sb = new StringBuilder("\n");
        for (char c = ' '; c <= '~'; c++) sb.append(c);
        return sb.toString();
    }
}

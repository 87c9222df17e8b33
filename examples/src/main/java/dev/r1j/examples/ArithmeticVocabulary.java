package dev.r1j.examples;

import dev.r1j.core.tokenizer.CharTokenizer;

/**
 * The characters of rl-core's arithmetic task ({@code ArithmeticTask}): digits, the operators, and the letters of
 * {@code <think>…</think><answer>…</answer>}. A {@link CharTokenizer} over them is the toy models' tokenizer.
 *
 * <pre>{@code
 * CharTokenizer tok = ArithmeticVocabulary.tokenizer();
 * tok.encode("347+185=");   // one id per character
 * }</pre>
 */
public final class ArithmeticVocabulary {
    /** Every character that prompts and completions of the arithmetic task use. */
    public static final String ALPHABET = "0123456789+-*=,<>/aehiknrstw";

    private ArithmeticVocabulary() {}

    /** A character tokenizer over {@link #ALPHABET} (ids 0-2 are pad, bos, eos), without a chat template. */
    public static CharTokenizer tokenizer() {
        return new CharTokenizer(ALPHABET, null);
    }
}

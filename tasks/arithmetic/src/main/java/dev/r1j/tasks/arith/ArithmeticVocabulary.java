package dev.r1j.tasks.arith;

import dev.r1j.core.tokenizer.CharTokenizer;

/**
 * The arithmetic task's one alphabet and one tokenizer: digits, the operators, {@code ,} and the tag characters, then
 * every lower-case letter and a space (room for the tags and words of a variant of the task). The order fixes the
 * token ids, so it is the vocabulary of every toy model built on the task (the {@code pretrain} stage's base model of
 * R1-Zero among them): changing it changes those models.
 *
 * <pre>{@code
 * CharTokenizer tok = ArithmeticVocabulary.tokenizer();
 * tok.encode("347+185=");                                 // one id per character
 * int[] ids = ArithmeticVocabulary.withBosEos(tok, line);  // a pretraining sequence
 * }</pre>
 */
public final class ArithmeticVocabulary {
    /** Every character of the task's prompts and completions, and more letters; the order is the ids' order. */
    public static final String ALPHABET = "0123456789+-*=<>/,abcdefghijklmnopqrstuvwxyz ";

    private ArithmeticVocabulary() {}

    /** A character tokenizer over {@link #ALPHABET} (ids 0-2 are pad, bos, eos), without a chat template. */
    public static CharTokenizer tokenizer() {
        return new CharTokenizer(ALPHABET, null);
    }

    /** BOS, the text's characters, EOS: what the sampler feeds (BOS + prompt) and where the model learns to stop. */
    public static int[] withBosEos(CharTokenizer tok, String text) {
        int[] body = tok.encode(text);
        int[] ids = new int[body.length + 2];
        ids[0] = tok.bosId();
        System.arraycopy(body, 0, ids, 1, body.length);
        ids[ids.length - 1] = tok.eosId();
        return ids;
    }
}

package dev.r1j.rollout;

import dev.r1j.core.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Test double: ids 0 = pad, 1 = BOS, 2 = EOS, then one id per character of {@code alphabet}. */
final class TestCharTokenizer implements Tokenizer {
    static final int PAD = 0, BOS = 1, EOS = 2, FIRST = 3;
    final String alphabet;
    final boolean hasEos;
    boolean hasChatTemplate = true;

    TestCharTokenizer(String alphabet) {
        this(alphabet, true);
    }

    /** {@code hasEos = false}: id 2 stays reserved but is not an end-of-sequence (benchmarks run to length). */
    TestCharTokenizer(String alphabet, boolean hasEos) {
        this.alphabet = alphabet;
        this.hasEos = hasEos;
    }

    int id(char c) {
        int i = alphabet.indexOf(c);
        if (i < 0) throw new IllegalArgumentException("character '" + c + "' is not in the test alphabet");
        return FIRST + i;
    }

    @Override
    public int[] encode(String text) {
        int[] ids = new int[text.length()];
        for (int i = 0; i < ids.length; i++) ids[i] = id(text.charAt(i));
        return ids;
    }

    @Override
    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) if (id >= FIRST) sb.append(alphabet.charAt(id - FIRST));
        return sb.toString();
    }

    @Override
    public int vocabSize() {
        return FIRST + alphabet.length();
    }

    @Override
    public int bosId() {
        return BOS;
    }

    @Override
    public int eosId() {
        return hasEos ? EOS : -1;
    }

    @Override
    public int padId() {
        return PAD;
    }

    @Override
    public String applyChatTemplate(List<Map<String, String>> messages, boolean addGenerationPrompt) {
        if (!hasChatTemplate) throw new IllegalStateException("this test tokenizer has no chat template");
        StringBuilder sb = new StringBuilder();
        for (Map<String, String> m : messages) sb.append(m.get("role").charAt(0)).append(':').append(m.get("content")).append(';');
        if (addGenerationPrompt) sb.append("a:");
        return sb.toString();
    }

    @Override
    public void save(Path dir) {
        throw new UnsupportedOperationException("test double");
    }
}

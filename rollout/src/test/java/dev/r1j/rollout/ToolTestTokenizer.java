package dev.r1j.rollout;

import dev.r1j.core.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Test double for tool-use sampling: ids 0 = pad, 1 = BOS, 2 = EOS, then multi-character pieces (so a model can
 * write a tool call's fences in one token each), then every printable ASCII character and newline, so any tool output
 * encodes. Encoding takes the longest piece first.
 */
final class ToolTestTokenizer implements Tokenizer {
    static final int PAD = 0, BOS = 1, EOS = 2, FIRST = 3;
    final List<String> pieces = new ArrayList<>();

    ToolTestTokenizer(String... multiChar) {
        pieces.addAll(List.of(multiChar));
        pieces.add("\n");
        for (char c = ' '; c <= '~'; c++) pieces.add(String.valueOf(c));
    }

    int id(String piece) {
        int i = pieces.indexOf(piece);
        if (i < 0) throw new IllegalArgumentException("no piece '" + piece + "'");
        return FIRST + i;
    }

    @Override
    public int[] encode(String text) {
        List<Integer> out = new ArrayList<>();
        int at = 0;
        while (at < text.length()) {
            int best = -1;
            for (int i = 0; i < pieces.size(); i++) {
                if (text.startsWith(pieces.get(i), at) && (best < 0 || pieces.get(i).length() > pieces.get(best).length())) best = i;
            }
            if (best < 0) throw new IllegalArgumentException("cannot encode '" + text.charAt(at) + "'");
            out.add(FIRST + best);
            at += pieces.get(best).length();
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) if (id >= FIRST) sb.append(pieces.get(id - FIRST));
        return sb.toString();
    }

    @Override
    public int vocabSize() {
        return FIRST + pieces.size();
    }

    @Override
    public int bosId() {
        return BOS;
    }

    @Override
    public int eosId() {
        return EOS;
    }

    @Override
    public int padId() {
        return PAD;
    }

    @Override
    public String applyChatTemplate(List<Map<String, String>> messages, boolean addGenerationPrompt) {
        throw new IllegalStateException("no chat template");
    }

    @Override
    public void save(Path dir) {
        throw new UnsupportedOperationException("test double");
    }
}

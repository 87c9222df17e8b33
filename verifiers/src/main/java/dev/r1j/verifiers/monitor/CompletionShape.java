package dev.r1j.verifiers.monitor;

import java.util.regex.Pattern;

/**
 * A coarse shape of a completion, for spotting degenerate policies: {@code EMPTY} (nothing but whitespace),
 * {@code ANSWER_ONLY} (an answer with next to no reasoning: fewer than {@code minReasoningChars} non-space
 * characters are left once the {@code <answer>…</answer>} blocks, the last {@code \boxed{…}} and the think tags are
 * removed), else {@code REASONED}.
 *
 * <pre>{@code
 * CompletionShape.classify("<think></think><answer>42</answer>", 20);   // ANSWER_ONLY
 * }</pre>
 */
public enum CompletionShape {
    EMPTY, ANSWER_ONLY, REASONED;

    /** The default threshold of reasoning characters. */
    public static final int DEFAULT_MIN_REASONING_CHARS = 20;
    private static final Pattern ANSWER_BLOCK = Pattern.compile("<answer>.*?(?:</answer>|$)", Pattern.DOTALL);
    private static final Pattern THINK_TAGS = Pattern.compile("</?think>");

    public static CompletionShape classify(String completion, int minReasoningChars) {
        if (completion.isBlank()) {
            return EMPTY;
        }
        String rest = THINK_TAGS.matcher(ANSWER_BLOCK.matcher(completion).replaceAll(" ")).replaceAll(" ");
        rest = withoutLastBoxed(rest);
        int chars = 0;
        for (int i = 0; i < rest.length() && chars < minReasoningChars; i++) {
            if (!Character.isWhitespace(rest.charAt(i))) {
                chars++;
            }
        }
        return chars < minReasoningChars ? ANSWER_ONLY : REASONED;
    }

    private static String withoutLastBoxed(String s) {
        int at = s.lastIndexOf("\\boxed{");
        if (at < 0) {
            return s;
        }
        int depth = 0;
        for (int j = at + "\\boxed".length(); j < s.length(); j++) {
            char c = s.charAt(j);
            if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return s.substring(0, at) + s.substring(j + 1);
            }
        }
        return s.substring(0, at);
    }
}

package dev.r1j.verifiers.math;

import java.util.Locale;
import java.util.Optional;

/**
 * Finds the final answer in a completion. In order of precedence:
 * <ol>
 *   <li>the last {@code <answer>…</answer>} (inside it, a {@code \boxed{}} or "the answer is" still narrows it);</li>
 *   <li>the last {@code \boxed{…}} or {@code \fbox{…}} (nested braces; also {@code \boxed 5});</li>
 *   <li>GSM8K's last {@code #### 42} line;</li>
 *   <li>the text after the last "answer is" / "answer:" up to the end of that sentence.</li>
 * </ol>
 * Only the last {@code maxChars} characters are searched, so a megabyte completion costs one linear scan of a
 * bounded tail.
 *
 * <pre>{@code
 * AnswerExtractor.extract("... so \\boxed{\\frac{1}{2}}.", 100_000).get().answer();   // \frac{1}{2}
 * }</pre>
 */
public final class AnswerExtractor {
    /** An extracted answer and how it was found ({@code answer_tag}, {@code boxed}, {@code gsm8k}, {@code phrase}). */
    public record Extraction(String answer, String method) {}

    private AnswerExtractor() {}

    public static Optional<Extraction> extract(String text, int maxChars) {
        if (text == null) {
            return Optional.empty();
        }
        if (text.length() > maxChars) {
            text = text.substring(text.length() - maxChars);
        }
        int close = text.lastIndexOf("</answer>");
        int open = close >= 0 ? text.lastIndexOf("<answer>", close) : text.lastIndexOf("<answer>");
        if (open >= 0) {
            String inner = close > open ? text.substring(open + 8, close) : text.substring(open + 8);
            Optional<Extraction> narrowed = boxed(inner).or(() -> phrase(inner));
            String a = narrowed.map(Extraction::answer).orElse(inner).strip();
            return a.isEmpty() ? Optional.empty() : Optional.of(new Extraction(a, "answer_tag"));
        }
        final String t = text;
        return boxed(t).or(() -> gsm8k(t)).or(() -> phrase(t));
    }

    /** The content of the last {@code \boxed} / {@code \fbox}. */
    static Optional<Extraction> boxed(String t) {
        int at = Math.max(t.lastIndexOf("\\boxed"), t.lastIndexOf("\\fbox"));
        // At most a few boxes are tried: each malformed one may cost a scan to the end of the text.
        for (int tries = 0; at >= 0 && tries < 4; tries++) {
            int i = at + (t.startsWith("\\boxed", at) ? 6 : 5);
            String content = argument(t, i);
            if (content != null && !content.isBlank()) {
                return Optional.of(new Extraction(content.strip(), "boxed"));
            }
            // An empty or malformed box: look at the one before it.
            at = at == 0 ? -1 : Math.max(t.lastIndexOf("\\boxed", at - 1), t.lastIndexOf("\\fbox", at - 1));
        }
        return Optional.empty();
    }

    /** The braced argument starting at {@code i} (balanced, iterative), or a bare token for {@code \boxed 5}. */
    private static String argument(String t, int i) {
        if (i < t.length() && Character.isLetter(t.charAt(i))) {
            return null; // \boxedfoo is another command
        }
        while (i < t.length() && t.charAt(i) == ' ') {
            i++;
        }
        if (i >= t.length()) {
            return null;
        }
        if (t.charAt(i) == '{') {
            int depth = 0;
            for (int j = i; j < t.length(); j++) {
                char c = t.charAt(j);
                if (c == '\\' && j + 1 < t.length()) {
                    j++; // skip escaped characters such as \{ and \}
                } else if (c == '{') {
                    depth++;
                } else if (c == '}' && --depth == 0) {
                    return t.substring(i + 1, j);
                }
            }
            return null; // unbalanced
        }
        int j = i;
        while (j < t.length() && !Character.isWhitespace(t.charAt(j)) && t.charAt(j) != '$') {
            j++;
        }
        return t.substring(i, j);
    }

    static Optional<Extraction> gsm8k(String t) {
        int at = t.lastIndexOf("####");
        if (at < 0) {
            return Optional.empty();
        }
        String rest = t.substring(at + 4);
        int nl = rest.indexOf('\n');
        String a = (nl >= 0 ? rest.substring(0, nl) : rest).strip();
        return a.isEmpty() ? Optional.empty() : Optional.of(new Extraction(a, "gsm8k"));
    }

    static Optional<Extraction> phrase(String t) {
        String lower = t.toLowerCase(Locale.ROOT);
        int at = -1;
        int len = 0;
        for (String key : new String[] {"answer is", "answer:"}) {
            int i = lower.lastIndexOf(key);
            if (i > at) {
                at = i;
                len = key.length();
            }
        }
        if (at < 0) {
            return Optional.empty();
        }
        String rest = t.substring(at + len);
        int nl = rest.indexOf('\n');
        if (nl >= 0) {
            rest = rest.substring(0, nl);
        }
        // End of sentence: a period followed by a space (not a decimal point).
        int stop = -1;
        for (int i = 0; i + 1 < rest.length(); i++) {
            if (rest.charAt(i) == '.' && Character.isWhitespace(rest.charAt(i + 1))) {
                stop = i;
                break;
            }
        }
        if (stop >= 0) {
            rest = rest.substring(0, stop);
        }
        String a = rest.strip();
        if (a.startsWith(":")) {
            a = a.substring(1).strip();
        }
        return a.isEmpty() ? Optional.empty() : Optional.of(new Extraction(a, "phrase"));
    }
}

package dev.r1j.verifiers.math;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the final answer in a completion, under an {@link Policy}. The strict policy (rewards) takes anchors only,
 * in order of precedence:
 * <ol>
 *   <li>the last {@code <answer>…</answer>} (inside it, a {@code \boxed{}} or "the answer is" still narrows it);</li>
 *   <li>the last {@code \boxed{…}} or {@code \fbox{…}} (nested braces; also {@code \boxed 5});</li>
 *   <li>GSM8K's last {@code #### 42} line;</li>
 *   <li>the text after the last "answer is" / "answer:" up to the end of that sentence.</li>
 * </ol>
 * Several boxes in a row joined only by "and", "or", commas or spacing ({@code \boxed{1} and \boxed{2}}) are one
 * answer, {@code 1, 2}. The lenient policy (evaluation, and every reference answer) falls back, when no anchor is
 * found, on the last LaTeX environment ({@code $…$}, {@code \(…\)}, {@code \[…\]}), then on the whole text when
 * it is short and not prose ({@code 7,425,000}, {@code \frac{10}{9}}, {@code (3, \frac{\pi}{2})}), then on the last
 * number. Inside a phrase ("Final Answer: The largest $n$ is 34.") the lenient policy narrows prose to what follows
 * the last "is"/"=" or to its last environment or number.
 * Only the last {@code maxChars} characters are searched, so a megabyte completion costs one linear scan of a
 * bounded tail.
 *
 * <pre>{@code
 * AnswerExtractor.extract("... so \\boxed{\\frac{1}{2}}.", 100_000).get().answer();   // \frac{1}{2}
 * AnswerExtractor.extract("so it is 7,425,000", 100_000, Policy.LENIENT).get().answer(); // 7,425,000
 * }</pre>
 */
public final class AnswerExtractor {
    /** An extracted answer and how it was found ({@code answer_tag}, {@code boxed}, {@code gsm8k}, {@code phrase},
     * and for the lenient policy {@code latex}, {@code whole}, {@code last_number}). */
    public record Extraction(String answer, String method) {}

    /**
     * How hard to look for an answer. {@code STRICT}: anchors only (right for rewards: a bare number in the
     * reasoning must not pay). {@code LENIENT}: anchors, then the fallbacks Math-Verify and the MATH graders use
     * (for evaluation, and for every reference answer).
     */
    public enum Policy {
        STRICT, LENIENT;

        /** {@code strict} or {@code lenient}, as written in options. */
        public static Policy parse(String s) {
            return switch (s.strip().toLowerCase(Locale.ROOT)) {
                case "strict" -> STRICT;
                case "lenient" -> LENIENT;
                default -> throw new IllegalArgumentException("extraction must be strict or lenient, got '" + s + "'");
            };
        }
    }

    private AnswerExtractor() {}

    /** The strict policy. */
    public static Optional<Extraction> extract(String text, int maxChars) {
        return extract(text, maxChars, Policy.STRICT);
    }

    public static Optional<Extraction> extract(String text, int maxChars, Policy policy) {
        Optional<Extraction> anchored = anchored(text, maxChars, policy);
        if (anchored.isPresent() || policy == Policy.STRICT || text == null) {
            return anchored;
        }
        int window = Math.min(maxChars, LENIENT_WINDOW);
        String t = text.length() > window ? text.substring(text.length() - window) : text;
        if (answerLike(t) && lastEnvironment(t).isEmpty()) {
            return Optional.of(new Extraction(t.strip(), "whole"));
        }
        // the later of the last environment and the last number outside it, as Math-Verify ranks equal-priority matches
        int[] envAt = new int[2];
        Optional<String> env = lastEnvironment(t, envAt);
        int[] numAt = new int[2];
        Optional<String> num = lastNumber(t, numAt);
        if (num.isPresent() && (env.isEmpty() || numAt[0] >= envAt[1])) {
            return Optional.of(new Extraction(num.get(), "last_number"));
        }
        return env.map(a -> new Extraction(a, "latex"));
    }

    /**
     * The answer of a reference (gold) field: always the lenient policy, with the whole field preferred over its
     * last environment or number when it is short and not prose ({@code x = 5} stays {@code x = 5}).
     */
    public static String reference(String ref, int maxChars) {
        if (plainNumber(ref)) {
            return ref.strip(); // the common case (GSM8K, most MATH answers): nothing to look for
        }
        Optional<Extraction> anchored = anchored(ref, maxChars, Policy.LENIENT);
        if (anchored.isPresent()) {
            return anchored.get().answer();
        }
        if (notProse(ref)) {
            return ref.strip();
        }
        return extract(ref, maxChars, Policy.LENIENT).map(Extraction::answer).orElse(ref.strip());
    }

    private static boolean plainNumber(String s) {
        if (s.length() > 40) {
            return false;
        }
        boolean digit = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                digit = true;
            } else if (c != '-' && c != '.' && c != ',' && c != ' ') {
                return false;
            }
        }
        return digit;
    }

    private static Optional<Extraction> anchored(String text, int maxChars, Policy policy) {
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
            Optional<Extraction> narrowed = boxed(inner).or(() -> phrase(inner, policy));
            String a = narrowed.map(Extraction::answer).orElse(inner).strip();
            return a.isEmpty() ? Optional.empty() : Optional.of(new Extraction(a, "answer_tag"));
        }
        final String t = text;
        if (policy == Policy.LENIENT) {
            // "\\boxed{200} ... Final Answer: The final answer is $10,455$": the later statement wins
            int box = Math.max(t.lastIndexOf("\\boxed"), t.lastIndexOf("\\fbox"));
            int fin = t.toLowerCase(Locale.ROOT).lastIndexOf("final answer");
            if (fin > box && box >= 0) {
                Optional<Extraction> p = phrase(t.substring(fin), policy);
                if (p.isPresent()) {
                    return p;
                }
            }
        }
        return boxed(t).or(() -> gsm8k(t)).or(() -> phrase(t, policy));
    }

    /** The content of the last {@code \boxed} / {@code \fbox}. */
    static Optional<Extraction> boxed(String t) {
        int at = Math.max(t.lastIndexOf("\\boxed"), t.lastIndexOf("\\fbox"));
        // At most a few boxes are tried: each malformed one may cost a scan to the end of the text.
        for (int tries = 0; at >= 0 && tries < 4; tries++) {
            int i = at + (t.startsWith("\\boxed", at) ? 6 : 5);
            String content = argument(t, i);
            if (content != null && !content.isBlank()) {
                return Optional.of(new Extraction(precedingBoxes(t, at, content.strip()), "boxed"));
            }
            // An empty or malformed box: look at the one before it.
            at = at == 0 ? -1 : Math.max(t.lastIndexOf("\\boxed", at - 1), t.lastIndexOf("\\fbox", at - 1));
        }
        return Optional.empty();
    }

    /** Boxes directly before the one at {@code at}, joined to it only by connectors: one answer of several values. */
    private static String precedingBoxes(String t, int at, String last) {
        StringBuilder answer = new StringBuilder(last);
        for (int n = 0; n < 16; n++) {
            int prev = Math.max(t.lastIndexOf("\\boxed", at - 1), t.lastIndexOf("\\fbox", at - 1));
            if (prev < 0) {
                break;
            }
            int i = prev + (t.startsWith("\\boxed", prev) ? 6 : 5);
            int end = closingOf(t, i);
            if (end < 0 || end >= at || !connects(t.substring(end + 1, at))) {
                break;
            }
            String content = argument(t, i);
            if (content == null || content.isBlank()) {
                break;
            }
            answer.insert(0, content.strip() + ", ");
            at = prev;
        }
        return answer.toString();
    }

    private static final Pattern CONNECTOR_LABEL = Pattern.compile("[A-Za-z](?:_\\{?[A-Za-z0-9]{1,3}\\}?)?\\s*=\\s*$");
    private static final Pattern WORD_OF_LETTERS = Pattern.compile("[A-Za-z]+");
    private static final Pattern CONNECTOR = Pattern.compile(
            "(?:\\s|\\\\[()\\[\\],;!]|\\$|,|;|and|or|\\\\q?quad|\\\\text\\{\\s*(?:and|or|,)?\\s*\\})*");

    /**
     * What may stand between two boxes of one answer: "and", "or", commas, spacing, or a short phrase without
     * digits, relations or sentence ends ({@code \\boxed{1} papers and \\boxed{2} bins}).
     */
    private static boolean connects(String between) {
        if (CONNECTOR.matcher(between).matches()) {
            return true;
        }
        // "\\) and \\( y_2 = ": a name before the next box is part of the connector
        between = CONNECTOR_LABEL.matcher(between).replaceFirst("");
        if (CONNECTOR.matcher(between).matches()) {
            return true;
        }
        Matcher words = WORD_OF_LETTERS.matcher(between.replaceAll("\\\\[A-Za-z]+", " "));
        int n = 0;
        boolean joins = false;
        while (words.find()) {
            n++;
            joins |= words.group().equals("and") || words.group().equals("or");
        }
        if ((!joins && n > 0) || between.length() > 40 || between.contains(". ") || n > 4) {
            return false;
        }
        for (int i = 0; i < between.length(); i++) {
            char c = between.charAt(i);
            if (Character.isDigit(c) || c == '=' || c == '<' || c == '>' || c == '\n') {
                return false;
            }
        }
        return true;
    }

    /** The index of the brace closing the argument at {@code i}; -1 when it is not a braced argument. */
    private static int closingOf(String t, int i) {
        while (i < t.length() && t.charAt(i) == ' ') {
            i++;
        }
        if (i >= t.length() || t.charAt(i) != '{') {
            return -1;
        }
        int depth = 0;
        for (int j = i; j < t.length(); j++) {
            char c = t.charAt(j);
            if (c == '\\' && j + 1 < t.length()) {
                j++;
            } else if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return j;
            }
        }
        return -1;
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
        return phrase(t, Policy.STRICT);
    }

    static Optional<Extraction> phrase(String t, Policy policy) {
        String lower = t.toLowerCase(Locale.ROOT);
        int at = -1;
        int len = 0;
        String[] keys = policy == Policy.STRICT ? new String[] {"answer is", "answer:"}
                : new String[] {"answer is", "answer:", "final answer", "answer $", "answer \\[", "answer \\("};
        for (String key : keys) {
            int i = lower.lastIndexOf(key);
            if (i > at) {
                at = i;
                len = key.length();
            }
        }
        if (at < 0) {
            return Optional.empty();
        }
        if (policy == Policy.LENIENT) {
            if (lower.charAt(at + len - 1) == '$' || lower.charAt(at + len - 1) == '[' || lower.charAt(at + len - 1) == '(') {
                // "Answer $ 9 $", "Answer \\[ 9 \\]" (over several lines): the environment is the answer
                int[] span = new int[2];
                String after = t.substring(at + 6);
                Optional<String> env = lastEnvironment(after.length() > LENIENT_WINDOW ? after.substring(0, LENIENT_WINDOW) : after, span);
                if (env.isPresent()) {
                    return Optional.of(new Extraction(env.get(), "phrase"));
                }
                len = 6;
            } else if (lower.startsWith("final answer", at)) {
                int i = at + len;
                while (i < t.length() && (Character.isWhitespace(t.charAt(i)) || t.charAt(i) == ':')) {
                    i++;
                }
                if (lower.startsWith("is", i) && (i + 2 == t.length() || !Character.isLetter(t.charAt(i + 2)))) {
                    i += 2;
                }
                len = i - at;
            }
        }
        String rest = t.substring(at + len);
        if (policy == Policy.LENIENT) {
            rest = rest.stripLeading();
        }
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
        if (policy == Policy.LENIENT && !a.isEmpty() && !answerLike(a)) {
            a = narrow(a.length() > LENIENT_WINDOW ? a.substring(a.length() - LENIENT_WINDOW) : a);
        }
        if (policy == Policy.LENIENT && a.endsWith(".")) {
            a = a.substring(0, a.length() - 1).strip(); // the sentence's full stop
        }
        return a.isEmpty() ? Optional.empty() : Optional.of(new Extraction(a, "phrase"));
    }

    // ---- the lenient fallbacks

    private static final Pattern ENVIRONMENT = Pattern.compile(
            "\\$\\$(.+?)\\$\\$|\\\\\\[(.+?)\\\\\\]|\\\\\\(([^\\n]+?)\\\\\\)|(?<![\\\\$])\\$((?:[^$\\\\\\n]|\\\\.)+?)\\$", Pattern.DOTALL);
    /** A number: digits with thousands separators (comma, space, thin space, {@code {,}}), decimals, a fraction. */
    private static final Pattern NUMBER = Pattern.compile(
            "(?<![A-Za-z0-9])-?(?:\\d{1,3}(?:(?:,|\\{,\\}|\\\\,| |\u2009|\u202f)\\d{3})+(?:\\.\\d+)?|\\d+(?:[.,]\\d+)?(?:/\\d+)?|\\.\\d+)(?!\\d)");
    private static final Pattern WORD = Pattern.compile("[A-Za-z]{3,}");
    /** The lenient fallbacks look at this many trailing characters (their regular expressions stay linear-ish). */
    static final int LENIENT_WINDOW = 4000;

    /** The content of the last {@code $…$}, {@code $$…$$}, {@code \(…\)} or {@code \[…\]}; none when empty. */
    static Optional<String> lastEnvironment(String t) {
        return lastEnvironment(t, new int[2]);
    }

    /** As {@link #lastEnvironment(String)}; {@code span} receives the environment's start and end. */
    static Optional<String> lastEnvironment(String t, int[] span) {
        if (t.indexOf('$') < 0 && !t.contains("\\(") && !t.contains("\\[")) {
            return Optional.empty();
        }
        Matcher m = ENVIRONMENT.matcher(t);
        String last = null;
        while (m.find()) {
            for (int g = 1; g <= 4; g++) {
                if (m.group(g) != null && !m.group(g).isBlank()) {
                    last = m.group(g).strip();
                    span[0] = m.start();
                    span[1] = m.end();
                }
            }
        }
        return Optional.ofNullable(last);
    }

    /**
     * Short and not prose: at most 80 characters, and outside LaTeX commands and {@code \text{}} no word of three or
     * more letters but "and", "or" and function names.
     */
    static boolean answerLike(String s) {
        return s.strip().length() <= 80 && notProse(s);
    }

    /** {@link #answerLike} without the length bound (a reference may be a long set or matrix). */
    static boolean notProse(String s) {
        String t = s.strip();
        if (t.isEmpty() || t.endsWith("?")) {
            return false;
        }
        Matcher w = WORD.matcher(NON_WORDS.matcher(t).replaceAll(" "));
        while (w.find()) {
            if (!MATH_WORDS.contains(w.group().toLowerCase(Locale.ROOT))) {
                return false;
            }
        }
        return true;
    }

    /** Text inside {@code \text{}}-like commands, environment names and commands are not prose. */
    private static final Pattern NON_WORDS = Pattern.compile(
            "\\\\(?:text[a-z]*|mbox|mathrm|mathbf|operatorname|begin|end)\\s*\\{[^}]*\\}|\\\\[A-Za-z]+");

    private static final java.util.Set<String> MATH_WORDS = java.util.Set.of("and", "or", "sqrt", "sin", "cos", "tan",
            "log", "exp", "inf", "infty", "pi", "mod", "cot", "sec", "csc", "arcsin", "arccos", "arctan");

    /** The answer inside a sentence: after the last "is"/"="; else its last environment; else its last number. */
    private static String narrow(String sentence) {
        String lower = sentence.toLowerCase(Locale.ROOT);
        int cut = -1;
        for (String verb : new String[] {" is ", "=", " are ", " be "}) {
            int i = lower.lastIndexOf(verb);
            if (i >= 0 && i + verb.length() > cut) {
                cut = i + verb.length();
            }
        }
        if (cut >= 0) {
            String after = sentence.substring(cut).strip();
            if (!after.isEmpty() && answerLike(after)) {
                return after;
            }
        }
        return lastEnvironment(sentence).or(() -> lastNumber(sentence)).orElse(sentence);
    }

    static Optional<String> lastNumber(String t) {
        return lastNumber(t, new int[2]);
    }

    static Optional<String> lastNumber(String t, int[] span) {
        Matcher m = NUMBER.matcher(t);
        String last = null;
        while (m.find()) {
            last = m.group();
            span[0] = m.start();
            span[1] = m.end();
        }
        return Optional.ofNullable(last);
    }
}

package dev.r1j.verifiers.math;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites an extracted answer into the canonical text {@link MathParser} reads: strips math delimiters, sizing
 * commands, spacing, {@code \text{}} wrappers, degree signs, currency, units and trailing punctuation; joins
 * thousands separators; turns a leading mixed number {@code 1\frac45} into {@code (1+\frac{4}{5})}.
 *
 * <p>Units: the content of {@code \text{…}}/{@code \mbox{…}} is dropped when the rest of the answer holds a
 * number ({@code 5.4 \text{ cents}}, {@code 15\mbox{ cm}^2}) and kept otherwise ({@code \text{Evelyn}},
 * {@code \text{(B)}}); common unit words after a number are dropped too ({@code 12 inches}).
 *
 * <pre>{@code
 * AnswerNormalizer.normalize("$10,\\!080$ dollars.");   // "10080"
 * }</pre>
 */
public final class AnswerNormalizer {
    private AnswerNormalizer() {}

    private static final String[][] LITERALS = {
        {"\u2212", "-"}, {"\u2013", "-"}, {"\u00d7", "\\times "}, {"\u00f7", "\\div "}, {"\u00b7", "\\cdot "},
        {"\u221a", "\\sqrt"}, {"\u03c0", "\\pi "}, {"\u221e", "\\infty "}, {"\u2264", "\\le "}, {"\u2265", "\\ge "},
        {"\u2260", "\\ne "}, {"\u222a", "\\cup "}, {"\u2208", "\\in "}, {"\u00a0", " "}, {"\u00b0", ""},
        {"\\displaystyle", ""}, {"\\dfrac", "\\frac"}, {"\\tfrac", "\\frac"}, {"\\cfrac", "\\frac"},
        {"\\dbinom", "\\binom"}, {"\\tbinom", "\\binom"}, {"\\lbrace", "\\{"}, {"\\rbrace", "\\}"},
        {"\\%", "%"}, {"\\$", ""}, {"$", ""}, {"\\(", ""}, {"\\)", ""}, {"\\[", ""}, {"\\]", ""},
        {"{,}", ""}, {"\\infin ", "\\infty "}, {"\\leqslant", "\\le"}, {"\\geqslant", "\\ge"},
    };

    private static final Pattern SIZING = Pattern.compile("\\\\(?:left|right|bigl|bigr|Bigl|Bigr|biggl|biggr|big|Big|bigg|Bigg)(?![a-zA-Z])\\s*\\.?");
    private static final Pattern THOUSANDS_BANG = Pattern.compile("(\\d),\\\\!\\s*(?=\\d{3})");
    private static final Pattern SPACING = Pattern.compile("(?<!\\\\)\\\\[,;:! ]|\\\\q?quad(?![a-zA-Z])|~");
    private static final Pattern DEGREES = Pattern.compile("\\^\\s*\\{?\\s*\\\\circ\\s*\\}?|\\\\circ(?![a-zA-Z])|\\\\degree(?![a-zA-Z])");
    private static final Pattern TEXT_CMD = Pattern.compile("\\\\(?:text|textnormal|textrm|textbf|textit|textsf|mbox|mathrm|mathbf|mathit|mathsf|boxed|fbox)\\s*\\{");
    private static final Pattern UNIT_POWER = Pattern.compile("^\\s*\\^\\s*\\{?\\s*[23]\\s*\\}?");
    private static final Pattern UNITS = Pattern.compile(
            "(?<=[\\d}.)%\\s])\\s*(?:square|sq\\.?|cubic)?\\s*\\b(?:units?|cm|centimeters?|centimetres?|meters?|metres?|km|kilometers?|mm|"
            + "millimeters?|inch(?:es)?|feet|foot|ft|yards?|yd|miles?|mi|degrees?|deg|radians?|dollars?|cents?|hours?|hrs?|"
            + "minutes?|mins?|seconds?|secs?|days?|weeks?|months?|years?|pounds?|lbs?|ounces?|oz|grams?|kg|kilograms?|"
            + "liters?|litres?|ml|gallons?|mph|kph|sq|percent)\\b(?:\\s*\\^\\s*\\{?[23]\\}?)?",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern WHOLE_THOUSANDS = Pattern.compile("-?\\d{1,3}(?:,\\d{3})+(?:\\.\\d+)?");
    private static final Pattern SPACE_THOUSANDS = Pattern.compile("-?\\d{1,3}(?: \\d{3})+(?:\\.\\d+)?");
    private static final Pattern MIXED = Pattern.compile("(-?)(\\d+)\\s*\\\\frac\\s*(?:\\{(\\d+)\\}|(\\d))\\s*(?:\\{(\\d+)\\}|(\\d))");
    private static final Pattern NUMBER_THEN_WORDS = Pattern.compile("(-?[\\d.,]*\\d(?:\\s*/\\s*\\d+)?%?)\\s+(?!(?:pi|sqrt|inf|infty|infinity|sin|cos|tan|cot|sec|csc|ln|log|exp|arcsin|arccos|arctan)\\b)[A-Za-z]{2,}[A-Za-z' -]*");
    private static final Pattern AND_OR = Pattern.compile("\\s+(?:and|or)\\s+");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    private static final Pattern LEADING_EQ = Pattern.compile("^\\s*(?:=|\\\\approx)\\s*");

    /** The canonical text of an answer; never null. */
    public static String normalize(String raw) {
        if (raw == null) {
            return "";
        }
        String s = raw.strip();
        if (isPlainNumber(s)) {
            return s; // the common case (GSM8K, most MATH answers) needs none of the rewriting below
        }
        for (String[] r : LITERALS) {
            if (s.contains(r[0])) {
                s = s.replace(r[0], r[1]);
            }
        }
        boolean commands = s.indexOf('\\') >= 0;
        if (commands) {
            s = SIZING.matcher(s).replaceAll("");
            s = THOUSANDS_BANG.matcher(s).replaceAll("$1");
            s = SPACING.matcher(s).replaceAll(" ");
            s = DEGREES.matcher(s).replaceAll("");
            s = s.replace("\\percent", "%");
            s = unwrapText(s);
        }
        if (s.indexOf('~') >= 0) {
            s = s.replace('~', ' ');
        }
        if (hasLetterRun(s)) {
            s = UNITS.matcher(s).replaceAll(m -> m.group().toLowerCase(Locale.ROOT).contains("percent") ? "%" : "");
            s = AND_OR.matcher(s).replaceAll(", ");
        }
        s = WHITESPACE.matcher(s).replaceAll(" ").strip();
        s = stripTrailing(s);
        if (!s.isEmpty() && (s.charAt(0) == '=' || s.startsWith("\\approx"))) {
            s = LEADING_EQ.matcher(s).replaceFirst("");
        }
        if (s.indexOf(',') >= 0 && WHOLE_THOUSANDS.matcher(s).matches()) {
            s = s.replace(",", "");
        } else if (s.indexOf(' ') >= 0 && SPACE_THOUSANDS.matcher(s).matches()) {
            s = s.replace(" ", ""); // 11 111 111 100 (thin-space style); "2 3" is not a product either way
        }
        if (s.indexOf(' ') >= 0) {
            Matcher nw = NUMBER_THEN_WORDS.matcher(s);
            if (nw.matches()) {
                s = nw.group(1).strip();
                if (WHOLE_THOUSANDS.matcher(s).matches()) {
                    s = s.replace(",", "");
                }
            }
        }
        if (!commands) {
            return s;
        }
        Matcher mixed = MIXED.matcher(s);
        if (mixed.matches()) {
            String num = mixed.group(3) != null ? mixed.group(3) : mixed.group(4);
            String den = mixed.group(5) != null ? mixed.group(5) : mixed.group(6);
            // Only a proper fraction makes a mixed number; 2\frac{3}{2} is left as a product.
            if (num.length() < 10 && den.length() < 10 && Long.parseLong(num) < Long.parseLong(den)) {
                s = mixed.group(1) + "(" + mixed.group(2) + "+\\frac{" + num + "}{" + den + "})";
            }
        }
        return s;
    }

    private static boolean isPlainNumber(String s) {
        if (s.isEmpty() || s.length() > 30) {
            return false;
        }
        int digits = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                digits++;
            } else if (!(c == '-' && i == 0) && !(c == '.' && i < s.length() - 1)) {
                return false;
            }
        }
        return digits > 0;
    }

    private static boolean hasLetterRun(String s) {
        for (int i = 0; i + 1 < s.length(); i++) {
            if (Character.isLetter(s.charAt(i)) && Character.isLetter(s.charAt(i + 1))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Unwraps {@code \text{…}}-like commands (brace-aware, innermost handled by repetition). Pure annotations next
     * to a number are dropped with a following {@code ^2}/{@code ^3}; "and"/"or" become commas.
     */
    static String unwrapText(String s) {
        for (int guard = 0; guard < 50; guard++) {
            Matcher m = TEXT_CMD.matcher(s);
            if (!m.find()) {
                return s;
            }
            int open = m.end() - 1;
            int close = matchBrace(s, open);
            if (close < 0) {
                return s.substring(0, m.start()) + s.substring(m.end()); // unbalanced: drop the command only
            }
            String content = s.substring(open + 1, close);
            String before = s.substring(0, m.start());
            String after = s.substring(close + 1);
            String cmd = m.group();
            boolean keep = cmd.contains("boxed") || cmd.contains("fbox") || cmd.contains("math");
            String trimmed = content.strip();
            String replacement;
            if (keep) {
                replacement = content;
            } else if (trimmed.equalsIgnoreCase("and") || trimmed.equalsIgnoreCase("or") || trimmed.equals(",")) {
                replacement = ", ";
            } else if (isAnnotation(trimmed) && containsDigit(before + after)) {
                replacement = " ";
                Matcher up = UNIT_POWER.matcher(after);
                if (up.find()) {
                    after = after.substring(up.end());
                }
            } else {
                replacement = " " + content + " ";
            }
            s = before + replacement + after;
        }
        return s;
    }

    private static boolean isAnnotation(String t) {
        return t.isEmpty() || t.matches("[A-Za-z][A-Za-z .'/-]*");
    }

    private static boolean containsDigit(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isDigit(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    private static int matchBrace(String s, int open) {
        int d = 0;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                i++;
            } else if (c == '{') {
                d++;
            } else if (c == '}' && --d == 0) {
                return i;
            }
        }
        return -1;
    }

    private static String stripTrailing(String s) {
        String prev;
        do {
            prev = s;
            s = s.strip();
            while (!s.isEmpty() && ".,;:".indexOf(s.charAt(s.length() - 1)) >= 0) {
                s = s.substring(0, s.length() - 1);
            }
            if (s.endsWith("\\")) {
                s = s.substring(0, s.length() - 1);
            }
        } while (!s.equals(prev));
        return s;
    }

    /** A key for comparing non-mathematical answers: lower case, no spaces, braces, backslash commands or quotes. */
    static String textKey(String normalized) {
        String t = normalized.toLowerCase(Locale.ROOT);
        t = t.replaceAll("\\\\(text|mathrm|textbf|mbox)", "");
        t = t.replaceAll("[\\s{}\"'`]", "");
        if (t.startsWith("the")) {
            t = t.substring(3);
        }
        return t;
    }

    private static final Pattern CHOICE = Pattern.compile("\\(?([A-E])\\)?");
    private static final Pattern CHOICE_ANSWER = Pattern.compile("\\(?([A-E])\\)?(?:[\\s.:)].*)?", Pattern.DOTALL);

    /** The letter of a multiple-choice reference: exactly {@code B} or {@code (B)} (after normalisation); else null. */
    static Character choiceLetter(String normalized) {
        Matcher m = CHOICE.matcher(normalized.strip());
        return m.matches() ? m.group(1).charAt(0) : null;
    }

    /** The letter a candidate picks: {@code B}, {@code (B)}, {@code B) 42}, {@code B. 42}; else null. */
    static Character chosenLetter(String normalized) {
        Matcher m = CHOICE_ANSWER.matcher(normalized.strip());
        return m.matches() ? m.group(1).charAt(0) : null;
    }
}

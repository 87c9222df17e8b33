package dev.r1j.verifiers.math;

import java.util.ArrayList;
import java.util.List;
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
        {"\u2009", " "}, {"\u202f", " "}, {"\u20ac", ""}, {"\u00a3", ""}, {"\u00a5", ""}, {"\u00b2", "^2"},
        {"\u00b3", "^3"}, {"\\euro", ""}, {"\\pounds", ""},
    };

    private static final Pattern SIZING = Pattern.compile("\\\\(?:left|right|bigl|bigr|Bigl|Bigr|biggl|biggr|big|Big|bigg|Bigg)(?![a-zA-Z])\\s*\\.?");
    private static final Pattern THOUSANDS_BANG = Pattern.compile("(\\d),\\\\!\\s*(?=\\d{3})");
    private static final Pattern SPACING = Pattern.compile("(?<!\\\\)\\\\[,;:! ]|\\\\q?quad|~");
    /** {@code \\frac} written with a doubled backslash (an escaped string pasted as LaTeX) is {@code \frac}. */
    private static final Pattern DOUBLED_BACKSLASH = Pattern.compile(
            "(?<!\\\\)\\\\(?=\\\\(?:[dt]?frac|sqrt|left|right|boxed|pi|cdot|times|le|ge|leq|geq|text|mathrm|infty|in|cup|pm)(?![a-zA-Z]))");
    /** {@code 14{, }916}: a braced comma between digit groups. */
    private static final Pattern BRACED_COMMA = Pattern.compile("(?<=\\d)\\s*\\{\\s*,\\s*\\}\\s*(?=\\d)");
    /** {@code 1000,99}, {@code 0,111}, {@code 1,22}: a decimal comma where a thousands separator is impossible. */
    private static final Pattern DECIMAL_COMMA = Pattern.compile("(-?)(\\d+),(\\d+)");
    /** A short unit glued to a number: {@code 1,000.99m^2}, {@code 35cm}. */
    private static final Pattern GLUED_UNIT = Pattern.compile("(?<=\\d)\\s*(?:m|cm|mm|km|ft|in)\\s*\\^\\s*\\{?[23]\\}?$");
    private static final Pattern DEGREES = Pattern.compile("\\^\\s*\\{?\\s*\\\\circ\\s*\\}?|\\\\circ(?![a-zA-Z])|\\\\degree(?![a-zA-Z])");
    private static final Pattern TEXT_CMD = Pattern.compile("\\\\(?:text|textnormal|textrm|textbf|textit|textsf|mbox|mathrm|mathbf|mathit|mathsf|boxed|fbox)\\s*\\{");
    private static final Pattern UNIT_POWER = Pattern.compile("^\\s*\\^\\s*\\{?\\s*[23]\\s*\\}?");
    private static final Pattern UNITS = Pattern.compile(
            "(?<=[\\d}.)%\\s])\\s*(?:square|sq\\.?|cubic)?\\s*\\b(?:units?|cm|centimeters?|centimetres?|meters?|metres?|km|kilometers?|mm|"
            + "millimeters?|inch(?:es)?|feet|foot|ft|yards?|yd|miles?|mi|degrees?|deg|radians?|dollars?|cents?|hours?|hrs?|"
            + "minutes?|mins?|seconds?|secs?|days?|weeks?|months?|years?|pounds?|lbs?|ounces?|oz|grams?|kg|kilograms?|"
            + "liters?|litres?|ml|gallons?|mph|kph|sq|percent)\\b(?:\\s*\\^\\s*\\{?[23]\\}?)?",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern WHOLE_THOUSANDS = Pattern.compile("-?[1-9]\\d{0,2}(?:,\\d{3})+(?:\\.\\d+)?");
    private static final Pattern SPACE_THOUSANDS = Pattern.compile("-?\\d{1,3}(?: \\d{3})+(?:\\.\\d+)?");
    private static final Pattern MIXED = Pattern.compile("(-?)(\\d+)\\s*\\\\frac\\s*(?:\\{(\\d+)\\}|(\\d))\\s*(?:\\{(\\d+)\\}|(\\d))");
    private static final Pattern NUMBER_THEN_WORDS = Pattern.compile("(-?[\\d.,]*\\d(?:\\s*/\\s*\\d+)?%?)\\s+(?!(?:pi|sqrt|inf|infty|infinity|sin|cos|tan|cot|sec|csc|ln|log|exp|arcsin|arccos|arctan)\\b)[A-Za-z]{2,}[A-Za-z' -]*");
    private static final Pattern AND_OR = Pattern.compile("\\s+(?:and|or)\\s+|(?<=[)\\]}])\\s*(?:and|or)\\s*(?=[(\\[{])");
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
            if (s.contains("\\\\")) {
                s = DOUBLED_BACKSLASH.matcher(s).replaceAll("");
            }
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
        s = stripOuterBraces(s);
        if (s.indexOf(';') >= 0 && s.indexOf('(') >= 0) {
            s = semicolonsInTuples(s);
        }
        if (s.indexOf('{') >= 0) {
            s = BRACED_COMMA.matcher(s).replaceAll("");
        }
        int approx = s.indexOf("\\approx");
        if (approx > 0) {
            // x = 1/3 \approx 0.33 is x = 1/3; x \approx 11 is x = 11
            s = s.substring(0, approx).contains("=") ? s.substring(0, approx).strip() : s.replace("\\approx", "=");
        }
        if (s.indexOf('^') > 0) {
            s = GLUED_UNIT.matcher(s).replaceAll("");
        }
        if (!s.isEmpty() && (s.charAt(0) == '=' || s.startsWith("\\approx"))) {
            s = LEADING_EQ.matcher(s).replaceFirst("");
        }
        if (s.indexOf(',') >= 0 && WHOLE_THOUSANDS.matcher(s).matches()) {
            s = s.replace(",", "");
        } else if (s.indexOf(',') >= 0) {
            s = decimalComma(s);
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
        if (s.indexOf(',') < 0) {
            return mixedNumber(s);
        }
        // each answer of a list: "15\frac{39}{40}, \frac{639}{40}"
        StringBuilder out = new StringBuilder();
        for (String part : topLevelParts(s)) {
            out.append(out.length() == 0 ? "" : ", ").append(mixedNumber(part.strip()));
        }
        return out.toString();
    }

    private static String mixedNumber(String s) {
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

    /**
     * {@code 1000,99} → {@code 1000.99} when the comma cannot be a thousands separator (the integer part is 0 or
     * has four or more digits, or the fraction does not have three) and cannot well be a list separator either
     * (the fraction has two or more digits, or the integer part is 0); {@code 1,5} stays the list 1, 5.
     */
    static String decimalComma(String s) {
        Matcher m = DECIMAL_COMMA.matcher(s);
        if (!m.matches()) {
            return s;
        }
        String whole = m.group(2);
        String frac = m.group(3);
        boolean notThousands = whole.equals("0") || whole.length() >= 4 || frac.length() != 3 || whole.startsWith("0");
        boolean notList = frac.length() >= 2 || whole.equals("0");
        return notThousands && notList ? m.group(1) + whole + "." + frac : s;
    }

    private static final Pattern SUBSCRIPT = Pattern.compile("_(?:\\{[^{}]*\\}|[A-Za-z0-9])");
    private static final Pattern LABEL_COMMANDS = Pattern.compile("\\\\(?:frac|dfrac|left|right|mathrm|mathbf|overline|operatorname|text|angle|triangle)(?![a-zA-Z])");
    private static final Pattern LABEL = Pattern.compile("[A-Za-z{}()|:/,\\s]*[A-Za-z][A-Za-z{}()|:/,\\s]*");

    /**
     * Drops the names in front of values: {@code AB=4, CD=5} is {@code 4, 5}; {@code (p,q)=(3,2)} is {@code (3,2)};
     * {@code S_{MBCN}:S=7:32} is {@code 7:32}. A name has letters, subscripts, {@code \frac}, bars, colons and
     * brackets only: {@code x+y=5} and {@code 2x=4} keep their left side. Used when only one side of a comparison
     * is written as equations.
     */
    static String stripLabels(String s) {
        if (s.indexOf(';') >= 0) {
            // p=5,q=2;p=7,q=2: each group of named values is one tuple
            List<String> groups = topLevelParts(s, ";");
            if (groups.size() > 1 && groups.stream().allMatch(g -> g.contains("=") && topLevelParts(g, ",").size() > 1)) {
                StringBuilder out = new StringBuilder();
                for (String g : groups) {
                    out.append(out.length() == 0 ? "" : ", ").append('(').append(stripLabels(g)).append(')');
                }
                return out.toString();
            }
        }
        List<String> parts = topLevelParts(s);
        StringBuilder out = new StringBuilder();
        for (String part : parts) {
            String p = part.strip();
            int eq = p.indexOf('=');
            if (eq > 0 && eq + 1 < p.length() && p.charAt(eq + 1) != '=' && "<>!\\".indexOf(p.charAt(eq - 1)) < 0
                    && isLabel(p.substring(0, eq))) {
                p = p.substring(eq + 1).strip();
            }
            out.append(out.length() == 0 ? "" : ", ").append(p);
        }
        return out.toString();
    }

    private static boolean isLabel(String lhs) {
        String t = SUBSCRIPT.matcher(lhs).replaceAll(" ");
        t = LABEL_COMMANDS.matcher(t).replaceAll(" ");
        return LABEL.matcher(t).matches();
    }

    /** The parts of {@code s} between commas and semicolons outside brackets and braces. */
    private static List<String> topLevelParts(String s) {
        return topLevelParts(s, ",;");
    }

    private static List<String> topLevelParts(String s, String separators) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                i++;
                continue;
            }
            if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            } else if (separators.indexOf(c) >= 0 && depth == 0) {
                parts.add(s.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(s.substring(start));
        return parts;
    }

    /** {@code (0;-2;6)} is the tuple {@code (0,-2,6)}; semicolons between tuples stay separators. */
    private static String semicolonsInTuples(String s) {
        StringBuilder b = new StringBuilder(s);
        int depth = 0;
        for (int i = 0; i < b.length(); i++) {
            char c = b.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ';' && depth > 0) {
                b.setCharAt(i, ',');
            }
        }
        return b.toString();
    }

    /** {@code {1,3}} (a TeX group, not the set {@code \{1,3\}}) is {@code 1,3}. */
    private static String stripOuterBraces(String s) {
        while (s.length() >= 2 && s.charAt(0) == '{' && matchBrace(s, 0) == s.length() - 1) {
            s = s.substring(1, s.length() - 1).strip();
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

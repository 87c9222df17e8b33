package dev.r1j.core.tokenizer;

/**
 * Rewrites the few Jinja2 expression forms that Jinjava parses differently, inside {@code {{ }}} and
 * {@code {% %}} only (string literals untouched):
 *
 * <ul>
 *   <li>{@code xs[::-1]} (a parse error in Jinjava) becomes {@code xs|reverse};
 *   <li>a keyword argument's value is parenthesised, {@code namespace(n=xs|length - 1)} becoming
 *       {@code namespace(n=(xs|length - 1))}, because Jinjava otherwise binds the {@code - 1} to the whole
 *       {@code n=...} pair.
 * </ul>
 */
final class JinjaCompat {
    /** Spaces and tabs from a line's start up to a block or comment tag that does not opt out with '+'. */
    private static final java.util.regex.Pattern LEADING_BLANKS =
            java.util.regex.Pattern.compile("(?m)^[ \\t]+(?=\\{[%#](?!\\+))");

    private JinjaCompat() {}

    /**
     * Jinja2's {@code lstrip_blocks}, done here because Jinjava's own version also strips blanks before a tag in the
     * middle of a line ({@code assistant: {% endif %}} lost its space): only blanks between a line's start and a
     * {@code {%} or {@code {#} go, and {@code {%+} keeps them (and becomes a plain {@code {%}).
     */
    static String lstripBlocks(String template) {
        return LEADING_BLANKS.matcher(template).replaceAll("").replace("{%+", "{%");
    }

    static String rewrite(String template) {
        StringBuilder out = new StringBuilder(template.length() + 16);
        int i = 0;
        int n = template.length();
        while (i < n) {
            int open = nextOpen(template, i);
            if (open < 0) {
                out.append(template, i, n);
                break;
            }
            out.append(template, i, open + 2);
            String close = template.charAt(open + 1) == '{' ? "}}" : "%}";
            int end = findClose(template, open + 2, close);
            if (end < 0) {
                out.append(template, open + 2, n); // unterminated: let Jinjava report it
                break;
            }
            out.append(rewriteExpression(template.substring(open + 2, end)));
            out.append(close);
            i = end + 2;
        }
        return out.toString();
    }

    private static int nextOpen(String s, int from) {
        for (int i = from; i + 1 < s.length(); i++) {
            if (s.charAt(i) == '{' && (s.charAt(i + 1) == '{' || s.charAt(i + 1) == '%')) {
                return i;
            }
            if (s.charAt(i) == '{' && s.charAt(i + 1) == '#') {
                int c = s.indexOf("#}", i + 2);
                if (c < 0) {
                    return -1;
                }
                i = c + 1;
            }
        }
        return -1;
    }

    private static int findClose(String s, int from, String close) {
        char quote = 0;
        for (int i = from; i + 1 < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == close.charAt(0) && s.charAt(i + 1) == close.charAt(1)) {
                return i;
            }
        }
        return -1;
    }

    /** One bracket level: whether it is a call's argument list, at an argument's start, inside a wrapped value. */
    private static final class Frame {
        final boolean call;
        boolean argStart = true;
        boolean wrapped;

        Frame(boolean call) {
            this.call = call;
        }
    }

    static String rewriteExpression(String e) {
        StringBuilder out = new StringBuilder(e.length() + 8);
        java.util.ArrayDeque<Frame> frames = new java.util.ArrayDeque<>();
        char quote = 0;
        int i = 0;
        while (i < e.length()) {
            char c = e.charAt(i);
            if (quote != 0) {
                out.append(c);
                if (c == '\\' && i + 1 < e.length()) {
                    out.append(e.charAt(++i));
                } else if (c == quote) {
                    quote = 0;
                }
                i++;
                continue;
            }
            Frame top = frames.peek();
            if (c == '\'' || c == '"') {
                quote = c;
                markArg(top);
                out.append(c);
                i++;
            } else if (e.startsWith("[::-1]", i)) {
                out.append("|reverse");
                i += 6;
            } else if (c == '(' || c == '[' || c == '{') {
                boolean call = c == '(' && precededByCallee(out);
                markArg(top);
                frames.push(new Frame(call));
                out.append(c);
                i++;
            } else if (c == ')' || c == ']' || c == '}') {
                if (top != null) {
                    if (top.wrapped) {
                        out.append(')');
                    }
                    frames.pop();
                }
                out.append(c);
                i++;
            } else if (c == ',' && top != null) {
                if (top.wrapped) {
                    out.append(')');
                    top.wrapped = false;
                }
                top.argStart = true;
                out.append(c);
                i++;
            } else if (top != null && top.call && top.argStart && isIdentStart(c)) {
                int j = i;
                while (j < e.length() && isIdentPart(e.charAt(j))) {
                    j++;
                }
                int k = j;
                while (k < e.length() && Character.isWhitespace(e.charAt(k))) {
                    k++;
                }
                boolean keyword = k < e.length() && e.charAt(k) == '='
                        && (k + 1 >= e.length() || e.charAt(k + 1) != '=');
                top.argStart = false;
                if (keyword) {
                    out.append(e, i, k + 1).append('(');
                    top.wrapped = true;
                    i = k + 1;
                } else {
                    out.append(e, i, j);
                    i = j;
                }
            } else {
                if (!Character.isWhitespace(c)) {
                    markArg(top);
                }
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static void markArg(Frame top) {
        if (top != null) {
            top.argStart = false;
        }
    }

    private static boolean precededByCallee(StringBuilder out) {
        int k = out.length() - 1;
        while (k >= 0 && Character.isWhitespace(out.charAt(k))) {
            k--;
        }
        return k >= 0 && (isIdentPart(out.charAt(k)) || out.charAt(k) == ')' || out.charAt(k) == ']');
    }

    private static boolean isIdentStart(char c) {
        return Character.isLetter(c) || c == '_';
    }

    private static boolean isIdentPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }
}

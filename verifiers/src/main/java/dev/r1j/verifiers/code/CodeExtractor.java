package dev.r1j.verifiers.code;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pulls the code out of a model completion: the last fenced block tagged {@code python}/{@code py}/
 * {@code python3} or untagged; a final fence left open (a truncated completion) counts up to the end;
 * without any such fence, the whole completion.
 *
 * <pre>{@code
 * CodeExtractor.extract("Here:\n```python\ndef f(): return 1\n```\n") // "def f(): return 1\n"
 * }</pre>
 */
public final class CodeExtractor {
    private static final Pattern FENCE = Pattern.compile("(?m)^[ \\t]*```[ \\t]*([A-Za-z0-9_+-]*)[^\\n]*\\n");
    private static final Pattern CLOSE = Pattern.compile("(?m)^[ \\t]*```[ \\t]*$");

    private CodeExtractor() {
    }

    private static final java.util.Set<String> PYTHON = java.util.Set.of("", "python", "py", "python3");

    public static String extract(String completion) {
        return extract(completion, PYTHON);
    }

    /**
     * The last fenced block whose tag (lower-cased) is in {@code tags} ({@code ""} for an untagged fence), else the whole
     * completion; e.g. {@code Set.of("", "java")} for Java.
     */
    public static String extract(String completion, java.util.Set<String> tags) {
        String found = null;
        int pos = 0;
        Matcher open = FENCE.matcher(completion);
        while (pos < completion.length() && open.find(pos)) {
            String lang = open.group(1).toLowerCase(java.util.Locale.ROOT);
            int bodyStart = open.end();
            Matcher close = CLOSE.matcher(completion);
            int bodyEnd;
            if (close.find(bodyStart)) {
                bodyEnd = close.start();
                pos = close.end();
            } else {
                bodyEnd = completion.length();
                pos = completion.length();
            }
            if (tags.contains(lang)) {
                found = completion.substring(bodyStart, bodyEnd);
            }
        }
        return found != null ? found : completion;
    }
}

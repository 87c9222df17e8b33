package dev.r1j.core.tokenizer;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * Python {@code str} methods for Jinjava, which otherwise resolves {@code s.split(x)} to Java's regex
 * {@code String.split} (dropping trailing empty strings) and knows no {@code startswith}, {@code lstrip('\n')} and
 * the like. Chat templates (Qwen3, DeepSeek-R1) rely on these with Python semantics.
 */
final class PythonStringMethods extends ELResolver {
    private static final Set<String> METHODS = Set.of("strip", "lstrip", "rstrip", "split", "rsplit", "startswith",
            "endswith", "upper", "lower", "title", "capitalize", "replace", "find", "count", "join", "splitlines",
            "isdigit", "isspace", "isalpha");

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (!(base instanceof String s) || !(method instanceof String name) || !METHODS.contains(name)) {
            return null;
        }
        Object[] p = params == null ? new Object[0] : params;
        Object result = call(s, name, p);
        context.setPropertyResolved(true);
        return result;
    }

    private static Object call(String s, String name, Object[] p) {
        return switch (name) {
            case "strip" -> rstrip(lstrip(s, chars(p)), chars(p));
            case "lstrip" -> lstrip(s, chars(p));
            case "rstrip" -> rstrip(s, chars(p));
            case "split" -> split(s, p.length > 0 ? (String) p[0] : null, p.length > 1 ? toInt(p[1]) : -1);
            case "rsplit" -> rsplit(s, (String) arg(p, 0), p.length > 1 ? toInt(p[1]) : -1);
            case "startswith" -> anyMatch(p[0], s::startsWith);
            case "endswith" -> anyMatch(p[0], s::endsWith);
            case "upper" -> s.toUpperCase(Locale.ROOT);
            case "lower" -> s.toLowerCase(Locale.ROOT);
            case "title" -> title(s);
            case "capitalize" -> s.isEmpty() ? s
                    : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
            case "replace" -> replace(s, String.valueOf(p[0]), String.valueOf(p[1]), p.length > 2 ? toInt(p[2]) : -1);
            case "find" -> (long) s.indexOf(String.valueOf(p[0]));
            case "count" -> count(s, String.valueOf(p[0]));
            case "join" -> join(s, p[0]);
            case "splitlines" -> List.of(s.split("\r\n|\r|\n", -1)).subList(0, lineCount(s));
            case "isdigit" -> !s.isEmpty() && s.chars().allMatch(Character::isDigit);
            case "isspace" -> !s.isEmpty() && s.chars().allMatch(Character::isWhitespace);
            case "isalpha" -> !s.isEmpty() && s.chars().allMatch(Character::isLetter);
            default -> throw new IllegalStateException(name);
        };
    }

    private static Object arg(Object[] p, int i) {
        return p.length > i ? p[i] : null;
    }

    private static String chars(Object[] p) {
        return p.length > 0 && p[0] != null ? String.valueOf(p[0]) : null;
    }

    private static int toInt(Object o) {
        return o == null ? -1 : ((Number) o).intValue();
    }

    private static boolean strippable(char c, String chars) {
        return chars == null ? Character.isWhitespace(c) : chars.indexOf(c) >= 0;
    }

    static String lstrip(String s, String chars) {
        int i = 0;
        while (i < s.length() && strippable(s.charAt(i), chars)) {
            i++;
        }
        return s.substring(i);
    }

    static String rstrip(String s, String chars) {
        int j = s.length();
        while (j > 0 && strippable(s.charAt(j - 1), chars)) {
            j--;
        }
        return s.substring(0, j);
    }

    /** Python's str.split: with a separator, keeps empty pieces; without, splits on runs of whitespace. */
    static List<String> split(String s, String sep, int maxsplit) {
        List<String> out = new ArrayList<>();
        if (sep == null) {
            for (String piece : s.trim().split("\\s+")) {
                if (!piece.isEmpty()) {
                    out.add(piece);
                }
            }
            return out;
        }
        if (sep.isEmpty()) {
            throw new IllegalArgumentException("empty separator");
        }
        int start = 0;
        int idx;
        while ((maxsplit < 0 || out.size() < maxsplit) && (idx = s.indexOf(sep, start)) >= 0) {
            out.add(s.substring(start, idx));
            start = idx + sep.length();
        }
        out.add(s.substring(start));
        return out;
    }

    private static List<String> rsplit(String s, String sep, int maxsplit) {
        if (sep == null || maxsplit < 0) {
            return split(s, sep, maxsplit);
        }
        List<String> out = new ArrayList<>();
        int end = s.length();
        int idx;
        while (out.size() < maxsplit && (idx = s.lastIndexOf(sep, end - sep.length())) >= 0) {
            out.add(0, s.substring(idx + sep.length(), end));
            end = idx;
        }
        out.add(0, s.substring(0, end));
        return out;
    }

    private static boolean anyMatch(Object prefixes, java.util.function.Predicate<String> test) {
        if (prefixes instanceof Iterable<?> many) {
            for (Object o : many) {
                if (test.test(String.valueOf(o))) {
                    return true;
                }
            }
            return false;
        }
        return test.test(String.valueOf(prefixes));
    }

    private static String title(String s) {
        StringBuilder b = new StringBuilder(s.length());
        boolean prevCased = false;
        for (char c : s.toCharArray()) {
            b.append(prevCased ? Character.toLowerCase(c) : Character.toUpperCase(c));
            prevCased = Character.isLetter(c);
        }
        return b.toString();
    }

    private static String replace(String s, String old, String neu, int count) {
        if (count < 0) {
            return s.replace(old, neu);
        }
        StringBuilder b = new StringBuilder();
        int start = 0;
        int idx;
        int n = 0;
        while (n < count && !old.isEmpty() && (idx = s.indexOf(old, start)) >= 0) {
            b.append(s, start, idx).append(neu);
            start = idx + old.length();
            n++;
        }
        return b.append(s.substring(start)).toString();
    }

    private static long count(String s, String sub) {
        if (sub.isEmpty()) {
            return s.length() + 1L;
        }
        long n = 0;
        for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length())) {
            n++;
        }
        return n;
    }

    private static String join(String sep, Object items) {
        List<String> parts = new ArrayList<>();
        if (items instanceof Iterable<?> it) {
            it.forEach(o -> parts.add(String.valueOf(o)));
        } else {
            parts.add(String.valueOf(items));
        }
        return String.join(sep, parts);
    }

    private static int lineCount(String s) {
        int n = s.split("\r\n|\r|\n", -1).length;
        // Python drops the empty piece after a final line break, and returns [] for "".
        return s.isEmpty() ? 0 : (s.endsWith("\n") || s.endsWith("\r") ? n - 1 : n);
    }

    // Property access is left to the other resolvers.

    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
        // not ours
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return false;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }
}

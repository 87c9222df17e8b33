package dev.r1j.recipes.run;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What changed between two resolved recipes (the one a run started with, read back from
 * {@code config.resolved.json}, and the one {@code --resume} was given), one entry per changed value with its path
 * in {@code --set} form. Numbers compare by value: a seed written as a long reads back as an int, and {@code 1}
 * equals {@code 1.0}.
 *
 * <pre>{@code
 * List<String> changes = RecipeDiff.between(before, now);
 * // ["stages[2].sft.training.learning_rate: 0.0005 -> 0.001", "stages[3]: added"]
 * }</pre>
 */
public final class RecipeDiff {
    private RecipeDiff() {}

    /** The changes from {@code before} to {@code now}, empty when they are the same recipe. */
    public static List<String> between(JsonNode before, JsonNode now) {
        List<String> out = new ArrayList<>();
        compare("", before, now, out);
        return out;
    }

    private static void compare(String path, JsonNode a, JsonNode b, List<String> out) {
        if (a.isNumber() && b.isNumber()) {
            if (a.decimalValue().compareTo(b.decimalValue()) != 0) out.add(change(path, a, b));
        } else if (a.isObject() && b.isObject()) {
            Set<String> keys = new LinkedHashSet<>();
            a.fieldNames().forEachRemaining(keys::add);
            b.fieldNames().forEachRemaining(keys::add);
            for (String k : keys) {
                String p = path.isEmpty() ? k : path + "." + k;
                if (!b.has(k)) out.add(p + ": removed (was " + a.get(k) + ")");
                else if (!a.has(k)) out.add(p + ": added (" + b.get(k) + ")");
                else compare(p, a.get(k), b.get(k), out);
            }
        } else if (a.isArray() && b.isArray()) {
            int n = Math.max(a.size(), b.size());
            for (int i = 0; i < n; i++) {
                String p = path + "[" + i + "]";
                if (i >= b.size()) out.add(p + ": removed (was " + a.get(i) + ")");
                else if (i >= a.size()) out.add(p + ": added (" + b.get(i) + ")");
                else compare(p, a.get(i), b.get(i), out);
            }
        } else if (!a.equals(b)) {
            out.add(change(path, a, b));
        }
    }

    private static String change(String path, JsonNode a, JsonNode b) {
        return (path.isEmpty() ? "recipe" : path) + ": " + a + " -> " + b;
    }

    /** The first {@code max} changes joined for one line, with a count of the rest. */
    static String summary(List<String> changes, int max) {
        StringBuilder s = new StringBuilder();
        Iterator<String> it = changes.iterator();
        for (int i = 0; i < max && it.hasNext(); i++) s.append(i == 0 ? "" : "; ").append(it.next());
        if (changes.size() > max) s.append("; and ").append(changes.size() - max).append(" more");
        return s.toString();
    }
}

package dev.r1j.recipes.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Applies {@code --set path=value} overrides to a recipe tree. The value is parsed as YAML, so {@code steps=50} sets
 * an integer and {@code verifiers=[math, format]} a list; missing objects on the way are created; a list element can
 * be replaced or appended (index = current size), not created past the end.
 *
 * <pre>{@code
 * Overrides.apply(tree, List.of("stages[0].grpo.steps=50", "model.init=runs/base"));
 * }</pre>
 */
public final class Overrides {
    private Overrides() {}

    public static void apply(LocatedTree tree, List<String> assignments) {
        for (String a : assignments) {
            apply(tree, a);
        }
    }

    public static void apply(LocatedTree tree, String assignment) {
        Location where = Location.override(assignment);
        int eq = assignment.indexOf('=');
        if (eq < 0) {
            throw new RecipeException(where + ": expected key=value, e.g. --set stages[0].grpo.steps=50");
        }
        String key = assignment.substring(0, eq).trim();
        List<ConfigPath.Segment> segments;
        try {
            segments = ConfigPath.parse(key);
        } catch (IllegalArgumentException e) {
            throw new RecipeException(where + ": " + e.getMessage());
        }
        if (segments.get(0).isIndex()) {
            throw new RecipeException(where + ": a path starts with a key, e.g. stages[0]...");
        }
        JsonNode value = YamlTree.parseValue(assignment.substring(eq + 1).trim(), where.toString());
        JsonNode node = tree.root();
        String path = "";
        for (int s = 0; s < segments.size(); s++) {
            ConfigPath.Segment seg = segments.get(s);
            boolean last = s == segments.size() - 1;
            String here = seg.isIndex() ? ConfigPath.index(path, seg.index()) : ConfigPath.child(path, seg.key());
            JsonNode next;
            if (seg.isIndex()) {
                if (!(node instanceof ArrayNode)) {
                    throw RecipeException.at(where, path, "is " + Describe.kind(node) + ", not a list, so it has no " + seg);
                }
                ArrayNode arr = (ArrayNode) node;
                if (seg.index() > arr.size()) {
                    throw RecipeException.at(where, path, "has " + arr.size() + " element(s); index " + seg.index()
                            + " is out of range (use " + arr.size() + " to append)");
                }
                if (last) {
                    set(arr, seg.index(), value);
                    mark(tree.sources(), here, where);
                    return;
                }
                next = seg.index() < arr.size() ? arr.get(seg.index()) : null;
                if (next == null || next.isNull()) {
                    next = JsonNodeFactory.instance.objectNode();
                    set(arr, seg.index(), next);
                    tree.sources().put(here, where);
                }
            } else {
                if (!(node instanceof ObjectNode)) {
                    throw RecipeException.at(where, path, "is " + Describe.kind(node) + ", not an object, so it has no key '" + seg.key() + "'");
                }
                ObjectNode obj = (ObjectNode) node;
                if (last) {
                    obj.set(seg.key(), value);
                    mark(tree.sources(), here, where);
                    return;
                }
                next = obj.get(seg.key());
                if (next == null || next.isNull()) {
                    if (segments.get(s + 1).isIndex()) {
                        throw RecipeException.at(where, here, "does not exist, so it has no " + segments.get(s + 1)
                                + "; set the whole list instead, e.g. " + here + "=[...]");
                    }
                    next = JsonNodeFactory.instance.objectNode();
                    obj.set(seg.key(), next);
                    tree.sources().put(here, where);
                }
            }
            node = next;
            path = here;
        }
    }

    private static void set(ArrayNode arr, int index, JsonNode value) {
        if (index == arr.size()) {
            arr.add(value);
        } else {
            arr.set(index, value);
        }
    }

    private static void mark(SourceMap sources, String path, Location where) {
        sources.removeSubtree(path);
        sources.put(path, where);
    }
}

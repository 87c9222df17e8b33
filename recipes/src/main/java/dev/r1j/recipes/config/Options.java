package dev.r1j.recipes.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import dev.r1j.options.Alias;
import dev.r1j.options.Default;
import dev.r1j.options.Help;
import dev.r1j.options.Inline;
import dev.r1j.options.Names;

/**
 * Reads the documentation of an options record: keys, types, defaults and help, for {@code recipe explain} and for
 * stage authors' own tests ({@link #describe} fails on a malformed {@link Default}).
 *
 * <pre>{@code
 * for (OptionDoc d : Options.describe(GrpoOptions.class)) System.out.println(d.key() + " = " + d.defaultValue());
 * }</pre>
 */
public final class Options {
    private Options() {}

    /**
     * Checks an options record the way a recipe will use it: every {@link Default} parses and fits its component's
     * type, every component type is supported, every component has {@link Help}. Call it from the stage's tests.
     *
     * @throws IllegalStateException naming the record and component at fault
     */
    public static void validate(Class<? extends Record> type) {
        OptionsBinder.checkDefaults(type);
        for (OptionDoc d : describe(type)) {
            if (d.help().isBlank()) {
                throw new IllegalStateException(type.getName() + ": option '" + d.key() + "' has no @Help");
            }
        }
    }

    /** Every option of {@code type}, nested records flattened with dotted keys, in declaration order. */
    public static List<OptionDoc> describe(Class<? extends Record> type) {
        List<OptionDoc> out = new ArrayList<>();
        describe(type, "", out);
        return out;
    }

    private static void describe(Class<?> type, String prefix, List<OptionDoc> out) {
        describe(type, prefix, null, out);
    }

    /** {@code overrides}: an object of defaults that win over the components' own (an inline block's). */
    private static void describe(Class<?> type, String prefix, JsonNode overrides, List<OptionDoc> out) {
        for (RecordComponent c : type.getRecordComponents()) {
            String name = Names.snake(c.getName());
            JsonNode own = c.getAnnotation(Default.class) != null ? OptionsBinder.defaultTree(type, c) : null;
            JsonNode override = overrides != null && overrides.has(name) ? overrides.get(name) : null;
            if (c.getAnnotation(Inline.class) != null) {
                describe(c.getType(), prefix, OptionsBinder.merge(own, overrides), out); // the holder's defaults name its keys flat
                continue;
            }
            String key = prefix + name;
            Help help = c.getAnnotation(Help.class);
            String def;
            JsonNode d = OptionsBinder.merge(own, override);
            if (d != null && !(c.getType().isRecord() && d.isObject())) {
                def = d.isTextual() ? d.asText() : d.toString();
            } else if (c.getType().isRecord() && (d != null || allDefaulted(c.getType()))) {
                def = "(defaults below)";
            } else {
                def = "required";
            }
            String text = help == null ? "" : help.value();
            for (Alias alias : c.getAnnotationsByType(Alias.class)) {
                text += " [" + (alias.source().isEmpty() ? "also" : alias.source()) + ": " + String.join(", ", alias.value()) + "]";
            }
            out.add(new OptionDoc(key, typeName(c.getGenericType()), def, text,
                    def.equals("null") || c.getAnnotation(dev.r1j.options.Nullable.class) != null));
            Class<?> element = recordElement(c.getGenericType());
            if (element != null) {
                describe(element, key + (c.getType().isRecord() ? "." : "[]."),
                        c.getType().isRecord() && d != null && d.isObject() ? d : null, out);
            }
        }
    }


    /** The keys of {@code type} in a recipe: its components' names, with {@link Inline} blocks' keys in their place. */
    public static List<String> keys(Class<?> type) {
        List<String> out = new ArrayList<>();
        for (RecordComponent c : type.getRecordComponents()) {
            if (c.getAnnotation(Inline.class) != null) {
                out.addAll(keys(c.getType()));
            } else {
                out.add(Names.snake(c.getName()));
            }
        }
        return out;
    }

    /**
     * When {@code key} is another tool's name of an option of {@code type} (an {@link Alias}, here, in an inline block
     * or one record down), the answer naming R1J's key: {@code "TRL's num_generations is group_size here"}; else null.
     */
    public static String aliasHint(Class<?> type, String key) {
        return aliasHint(type, key, "");
    }

    private static String aliasHint(Class<?> type, String key, String prefix) {
        for (RecordComponent c : type.getRecordComponents()) {
            for (Alias a : c.getAnnotationsByType(Alias.class)) {
                if (List.of(a.value()).contains(key)) {
                    String who = a.source().isEmpty() ? key : a.source() + "'s " + key;
                    return who + " is " + prefix + Names.snake(c.getName()) + " here";
                }
            }
            if (c.getType().isRecord() && prefix.isEmpty()) {
                String inner = aliasHint(c.getType(), key,
                        c.getAnnotation(Inline.class) != null ? "" : Names.snake(c.getName()) + ".");
                if (inner != null) {
                    return inner;
                }
            }
        }
        return null;
    }

    /** The record type of a component, or of the elements of a list component; null otherwise. */
    private static Class<?> recordElement(Type t) {
        if (t instanceof Class && ((Class<?>) t).isRecord()) {
            return (Class<?>) t;
        }
        if (t instanceof ParameterizedType && List.class.equals(((ParameterizedType) t).getRawType())) {
            Type e = ((ParameterizedType) t).getActualTypeArguments()[0];
            if (e instanceof Class && ((Class<?>) e).isRecord()) {
                return (Class<?>) e;
            }
        }
        return null;
    }

    /** True when every component has a default (recursively), so the record may be left out of a recipe. */
    public static boolean allDefaulted(Class<?> recordType) {
        for (RecordComponent c : recordType.getRecordComponents()) {
            boolean ok = c.getAnnotation(Default.class) != null || (c.getType().isRecord() && allDefaulted(c.getType()));
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** A user-facing name of a type: "an integer", "a number", "a list of string", "one of grpo|dapo". */
    public static String typeName(Type t) {
        if (t instanceof ParameterizedType) {
            ParameterizedType pt = (ParameterizedType) t;
            Type[] a = pt.getActualTypeArguments();
            if (Map.class.equals(pt.getRawType())) {
                return "a map of " + bare(typeName(a[1]));
            }
            return "a list of " + bare(typeName(a[0]));
        }
        Class<?> c = (Class<?>) t;
        if (c == int.class || c == Integer.class || c == long.class || c == Long.class) {
            return "an integer";
        }
        if (c == double.class || c == Double.class || c == float.class || c == Float.class) {
            return "a number";
        }
        if (c == boolean.class || c == Boolean.class) {
            return "a boolean (true/false)";
        }
        if (c == String.class) {
            return "a string";
        }
        if (c == Path.class) {
            return "a path";
        }
        if (c.isEnum()) {
            List<String> names = new ArrayList<>();
            for (Object k : c.getEnumConstants()) {
                names.add(Names.enumKey(((Enum<?>) k).name()));
            }
            return "one of " + String.join("|", names);
        }
        if (c.isRecord()) {
            return "an object";
        }
        return "any value";
    }

    private static String bare(String name) {
        return name.replaceFirst("^(an|a) ", "");
    }
}

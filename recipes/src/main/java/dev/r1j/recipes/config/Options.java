package dev.r1j.recipes.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
        for (RecordComponent c : type.getRecordComponents()) {
            String key = prefix + Names.snake(c.getName());
            Help help = c.getAnnotation(Help.class);
            String def;
            if (c.getAnnotation(Default.class) != null) {
                JsonNode d = OptionsBinder.defaultTree(type, c);
                def = d.isTextual() ? d.asText() : d.toString();
            } else if (c.getType().isRecord() && allDefaulted(c.getType())) {
                def = "(defaults below)";
            } else {
                def = "required";
            }
            out.add(new OptionDoc(key, typeName(c.getGenericType()), def, help == null ? "" : help.value()));
            Class<?> element = recordElement(c.getGenericType());
            if (element != null) {
                describe(element, key + (c.getType().isRecord() ? "." : "[]."), out);
            }
        }
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

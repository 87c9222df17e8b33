package dev.r1j.options;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds config records from their {@link Default}s, for library users: a trainer's config is a record whose
 * components carry {@link Help}, {@link Default} and (in the compact constructor) their validation, and nothing
 * else declares them again. {@link Builder} is the base of the typed fluent builders ({@code GrpoConfig.builder()}):
 * it starts from the defaults, sets components by name (reaching into {@link Inline} blocks), and calls the
 * canonical constructor, so the record's own checks apply.
 *
 * <pre>{@code
 * OptimizerConfig o = OptionRecords.defaults(OptimizerConfig.class);
 * GrpoConfig g = new OptionRecords.Builder<>(GrpoConfig.class).set("beta", 0.04).set("learningRate", 3e-4).build();
 * }</pre>
 */
public final class OptionRecords {
    private OptionRecords() {}

    /** Every component at its default; fails when a component is required (has no default). */
    public static <R extends Record> R defaults(Class<R> type) {
        return new Builder<>(type).build();
    }

    /** The key of a component in a recipe: its name in snake_case. */
    public static String key(RecordComponent c) {
        return Names.snake(c.getName());
    }

    /** The enum constant spelled {@code text} (its name in any case, or an {@link Alias} of it); null if none. */
    public static <E extends Enum<E>> E enumConstant(Class<E> type, String text) {
        String want = Names.enumKey(text);
        for (E e : type.getEnumConstants()) {
            if (Names.enumKey(e.name()).equals(want)) {
                return e;
            }
            try {
                for (Alias a : type.getField(e.name()).getAnnotationsByType(Alias.class)) {
                    for (String name : a.value()) {
                        if (Names.enumKey(name).equals(want)) {
                            return e;
                        }
                    }
                }
            } catch (NoSuchFieldException impossible) {
                throw new IllegalStateException(impossible);
            }
        }
        return null;
    }

    /**
     * Values of a record under construction, starting from its defaults. Typed builders extend it and give each
     * option a one-line setter; {@link #set} works by component name for everything else.
     *
     * @param <R> the record
     */
    public static class Builder<R extends Record> {
        private final Class<R> type;
        private final Map<String, Object> values = new LinkedHashMap<>();

        public Builder(Class<R> type) {
            this.type = type;
            for (RecordComponent c : type.getRecordComponents()) {
                Default d = c.getAnnotation(Default.class);
                if (d != null) {
                    values.put(c.getName(), initial(c, DefaultLiteral.parse(d.value())));
                } else if (c.getType().isRecord()) {
                    values.put(c.getName(), nested(c.getType()));
                }
            }
        }

        /** Starts from the values of {@code from} instead of the defaults. */
        public Builder(R from) {
            this(recordClass(from));
            for (RecordComponent c : type.getRecordComponents()) {
                values.put(c.getName(), componentValue(c, from));
            }
        }

        /**
         * Sets the component {@code name} (camelCase or snake_case), found in this record or in an {@link Inline}
         * block of it. A map given for a record component sets some of its keys.
         *
         * @throws IllegalArgumentException for an unknown name or a value of the wrong type
         */
        @SuppressWarnings("unchecked")
        public Builder<R> set(String name, Object value) {
            RecordComponent c = component(name);
            if (c != null) {
                Object current = values.get(c.getName());
                if (value instanceof Map && c.getType().isRecord()) {
                    Builder<?> b = current instanceof Builder ? (Builder<?>) current : nested(c.getType());
                    ((Map<String, Object>) value).forEach(b::set);
                    values.put(c.getName(), b);
                } else {
                    values.put(c.getName(), convert(c.getGenericType(), value, key(c)));
                }
                return this;
            }
            for (RecordComponent inline : type.getRecordComponents()) {
                if (inline.getAnnotation(Inline.class) != null && values.get(inline.getName()) instanceof Builder
                        && ((Builder<?>) values.get(inline.getName())).has(name)) {
                    ((Builder<?>) values.get(inline.getName())).set(name, value);
                    return this;
                }
            }
            throw new IllegalArgumentException(type.getSimpleName() + " has no option '" + name + "'");
        }

        /** Whether {@code name} is an option of this record or of one of its {@link Inline} blocks. */
        public boolean has(String name) {
            if (component(name) != null) {
                return true;
            }
            for (RecordComponent inline : type.getRecordComponents()) {
                Object v = values.get(inline.getName());
                if (inline.getAnnotation(Inline.class) != null && v instanceof Builder && ((Builder<?>) v).has(name)) {
                    return true;
                }
            }
            return false;
        }

        /**
         * The record, validated by its own constructor.
         *
         * @throws IllegalArgumentException what the constructor rejects, or a required option that was not set
         */
        public R build() {
            RecordComponent[] cs = type.getRecordComponents();
            Object[] args = new Object[cs.length];
            Class<?>[] types = new Class<?>[cs.length];
            for (int i = 0; i < cs.length; i++) {
                types[i] = cs[i].getType();
                if (!values.containsKey(cs[i].getName())) {
                    throw new IllegalArgumentException(type.getSimpleName() + ": option '" + key(cs[i])
                            + "' has no default and was not set");
                }
                Object v = values.get(cs[i].getName());
                args[i] = v instanceof Builder ? ((Builder<?>) v).build() : v;
            }
            try {
                Constructor<R> ctor = type.getDeclaredConstructor(types);
                ctor.setAccessible(true);
                return ctor.newInstance(args);
            } catch (InvocationTargetException e) {
                if (e.getCause() instanceof RuntimeException) {
                    throw (RuntimeException) e.getCause();
                }
                throw new IllegalStateException(e.getCause());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot construct " + type.getName() + ": " + e, e);
            }
        }

        private RecordComponent component(String name) {
            for (RecordComponent c : type.getRecordComponents()) {
                if (c.getName().equals(name) || key(c).equals(name)) {
                    return c;
                }
            }
            return null;
        }

        @SuppressWarnings("unchecked")
        private static Object initial(RecordComponent c, Object literal) {
            if (c.getType().isRecord() && literal instanceof Map) {
                Builder<?> b = nested(c.getType());
                ((Map<String, Object>) literal).forEach(b::set);
                return b;
            }
            return convert(c.getGenericType(), literal, key(c));
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private static Builder<?> nested(Class<?> recordType) {
            return new Builder(recordType);
        }

        @SuppressWarnings("unchecked")
        private static <R extends Record> Class<R> recordClass(R r) {
            return (Class<R>) r.getClass();
        }

        private static Object componentValue(RecordComponent c, Record from) {
            try {
                var accessor = c.getAccessor();
                accessor.setAccessible(true);
                return accessor.invoke(from);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Converts a plain value (from a default literal or a setter) to a component's type. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static Object convert(Type type, Object v, String key) {
        if (type instanceof ParameterizedType) {
            ParameterizedType pt = (ParameterizedType) type;
            Type[] a = pt.getActualTypeArguments();
            if (v == null) {
                return null;
            }
            if (List.class.equals(pt.getRawType()) && v instanceof List) {
                List<Object> out = new ArrayList<>();
                for (Object e : (List<?>) v) {
                    out.add(convert(a[0], e, key));
                }
                return Collections.unmodifiableList(out);
            }
            if (Map.class.equals(pt.getRawType()) && v instanceof Map) {
                Map<String, Object> out = new LinkedHashMap<>();
                ((Map<String, Object>) v).forEach((k, e) -> out.put(k, convert(a[1], e, key)));
                return Collections.unmodifiableMap(out);
            }
            throw wrongType(key, type, v);
        }
        Class<?> c = (Class<?>) type;
        if (v == null) {
            if (c.isPrimitive()) {
                throw wrongType(key, type, null);
            }
            return null;
        }
        if (c.isInstance(v) && !(v instanceof Map && c.isRecord())) {
            return v;
        }
        if ((c == int.class || c == Integer.class) && isIntegral(v)) {
            long l = ((Number) v).longValue();
            if (l != (int) l) {
                throw wrongType(key, type, v);
            }
            return (int) l;
        }
        if ((c == long.class || c == Long.class) && isIntegral(v)) {
            return ((Number) v).longValue();
        }
        if ((c == double.class || c == Double.class) && v instanceof Number) {
            return ((Number) v).doubleValue();
        }
        if ((c == float.class || c == Float.class) && v instanceof Number) {
            return ((Number) v).floatValue();
        }
        if (c == boolean.class && v instanceof Boolean) {
            return v;
        }
        if (c == String.class && !(v instanceof List) && !(v instanceof Map)) {
            return String.valueOf(v);
        }
        if (c == Path.class && v instanceof String) {
            return Path.of((String) v);
        }
        if (c.isEnum() && v instanceof String) {
            Object e = enumConstant((Class<Enum>) c, (String) v);
            if (e == null) {
                throw new IllegalArgumentException(key + ": no constant '" + v + "' in " + c.getSimpleName());
            }
            return e;
        }
        if (c.isRecord() && v instanceof Map) {
            Builder<?> b = Builder.nested(c);
            ((Map<String, Object>) v).forEach(b::set);
            return b.build();
        }
        if (c == Object.class) {
            return v;
        }
        throw wrongType(key, type, v);
    }

    private static boolean isIntegral(Object v) {
        return v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte;
    }

    private static IllegalArgumentException wrongType(String key, Type type, Object v) {
        return new IllegalArgumentException(key + ": expected " + type.getTypeName() + ", got "
                + (v == null ? "null" : v + " (" + v.getClass().getSimpleName() + ")"));
    }
}

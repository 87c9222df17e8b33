package dev.r1j.recipes.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import dev.r1j.options.Default;
import dev.r1j.options.DidYouMean;
import dev.r1j.options.Help;
import dev.r1j.options.Inline;
import dev.r1j.options.Names;
import dev.r1j.options.OptionRecords;

/**
 * Binds a recipe tree to option records: fills {@link Default}s under what the tree gives, rejects unknown keys
 * (with the nearest valid name), checks every value's type, then calls the record's canonical constructor, whose
 * compact-constructor checks are the single place options are validated. Every error names the source line.
 *
 * <p>YAML keys are the snake_case form of the record components ({@code maxNewTokens} is {@code max_new_tokens}).
 * Supported component types: {@code int long double float boolean} (and boxed), {@code String}, enums (matched
 * case-insensitively, written lower-case), {@link Path}, nested records, {@code List<T>}, {@code Map<String,T>},
 * {@code Object} (plain Java maps/lists/scalars, e.g. a verifier's options) and {@link JsonNode}. A record whose first
 * component is a {@code String} may also be written as a bare scalar that sets it ({@code verifiers: [math]} for
 * {@code [{name: math}]}).
 *
 * <pre>{@code
 * LocatedTree t = YamlTree.parse("steps: 50\nclip: {high: 0.3}\n", "x.yaml");
 * OptionsBinder.Bound<GrpoOptions> b = new OptionsBinder(t.sources()).bind(GrpoOptions.class, t.root(), "");
 * b.value().steps();      // 50
 * b.resolved();           // the tree with every default filled in, for config.resolved.json
 * }</pre>
 */
public final class OptionsBinder {
    private static final Pattern LEADING_PATH = Pattern.compile("([a-z_][a-z0-9_]*(?:\\[\\d+\\]|\\.[a-z_][a-z0-9_]*)*): ");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final SourceMap sources;

    public OptionsBinder(SourceMap sources) {
        this.sources = sources;
    }

    /** A bound value and the tree it was bound from, after defaults (what {@code config.resolved.json} shows). */
    public record Bound<T>(T value, JsonNode resolved) {}

    /** Binds {@code node} (an object, or null for "all defaults") at {@code path} to a record type. */
    public <R extends Record> Bound<R> bind(Class<R> type, JsonNode node, String path) {
        return bindRecord(type, node, path, Set.of());
    }

    /**
     * Like {@link #bind}, but every option named like a key of {@code inherited} that the tree leaves out takes that
     * value instead of its {@link Default}, at any depth, and a given value is inherited further down: a stage's
     * {@code seed} defaults to the recipe's, a {@code training.seed} to the stage's.
     */
    public <R extends Record> Bound<R> bindInheriting(Class<R> type, JsonNode node, String path,
            Map<String, JsonNode> inherited) {
        node = objectOrEmpty(type, node, path);
        checkKeys(type, node, path, Set.of());
        Bound<Record> b = bindComponents(type, (ObjectNode) node, path, null, inherited);
        return new Bound<>(type.cast(b.value()), b.resolved());
    }

    /**
     * Like {@link #bind}, but tolerates {@code extraKeys} (handled by the caller) and leaves them out of the
     * resolved tree; they still count as valid names for "did you mean".
     */
    public <R extends Record> Bound<R> bindRecord(Class<R> type, JsonNode node, String path, Set<String> extraKeys) {
        node = objectOrEmpty(type, node, path);
        checkKeys(type, node, path, extraKeys);
        Bound<Record> b = bindComponents(type, (ObjectNode) node, path, null, Map.of());
        return new Bound<>(type.cast(b.value()), b.resolved());
    }

    private JsonNode objectOrEmpty(Class<?> type, JsonNode node, String path) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return NODES.objectNode();
        }
        if (!node.isObject()) {
            throw error(path, "expected an object with keys " + String.join(", ", Options.keys(type)) + ", got "
                    + Describe.value(node));
        }
        return node;
    }

    /** Rejects a key that is no option here (nor of an {@link Inline} block), naming another tool's name as ours. */
    private void checkKeys(Class<?> type, JsonNode node, String path, Set<String> extraKeys) {
        Set<String> valid = new LinkedHashSet<>(Options.keys(type));
        for (var it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (valid.contains(key) || extraKeys.contains(key)) {
                continue;
            }
            String childPath = ConfigPath.child(path, key);
            String alias = Options.aliasHint(type, key);
            if (alias != null) {
                throw RecipeException.at(sources.locate(childPath), path.isEmpty() ? "" : path,
                        "unknown key '" + key + "': " + alias);
            }
            Set<String> all = new LinkedHashSet<>(valid);
            all.addAll(extraKeys);
            throw RecipeException.at(sources.locate(childPath), path.isEmpty() ? "" : path,
                    "unknown key '" + key + "'" + DidYouMean.hint(key, all) + "; valid keys: " + String.join(", ", all));
        }
    }

    /**
     * Binds the components of {@code type} from {@code node}, whose keys were checked. {@code defaults} is an object
     * of defaults that win over the components' own (an {@link Inline} or partial record default); {@code inherited}
     * are values for keys the tree leaves out at any depth.
     */
    private Bound<Record> bindComponents(Class<?> type, ObjectNode node, String path, JsonNode defaults,
            Map<String, JsonNode> inherited) {
        RecordComponent[] components = type.getRecordComponents();
        Map<String, JsonNode> inherit = new LinkedHashMap<>(inherited);
        Object[] args = new Object[components.length];
        ObjectNode resolved = NODES.objectNode();
        // plain options first, so that a given seed is inherited by the records below, whatever the order
        Integer[] order = new Integer[components.length];
        for (int i = 0; i < components.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Boolean.compare(components[a].getType().isRecord(),
                components[b].getType().isRecord()));
        ObjectNode[] resolvedParts = new ObjectNode[components.length];
        for (int i : order) {
            RecordComponent c = components[i];
            String key = Names.snake(c.getName());
            String childPath = ConfigPath.child(path, key);
            JsonNode componentDefault = c.getAnnotation(Default.class) != null ? defaultTree(type, c) : null;
            JsonNode override = defaults != null && defaults.has(key) ? defaults.get(key) : null;
            if (c.getAnnotation(Inline.class) != null) {
                ObjectNode own = NODES.objectNode();
                for (String k : Options.keys(c.getType())) {
                    if (node.has(k)) {
                        own.set(k, node.get(k));
                    }
                }
                // the holder's defaults name the block's keys flat, as a recipe does
                Bound<Record> b = bindComponents(c.getType(), own, path, merge(componentDefault, defaults), inherit);
                args[i] = b.value();
                resolvedParts[i] = (ObjectNode) b.resolved();
                continue;
            }
            JsonNode given = node.get(key);
            Bound<Object> b;
            if (given != null && given.isNull() && !(componentDefault != null && componentDefault.isNull())
                    && c.getAnnotation(dev.r1j.options.Nullable.class) == null) {
                throw error(childPath, "expected " + Options.typeName(c.getGenericType()) + ", got null (this option "
                        + "cannot be null; leave it out for its default)");
            }
            if (given != null && given.isObject() && c.getType().isRecord()) {
                // a given block starts from the defaults of the block, merged key by key
                Bound<Record> r = bindComponents(c.getType(), checked(c.getType(), given, childPath), childPath,
                        merge(componentDefault, override), inherit);
                b = new Bound<>(r.value(), r.resolved());
            } else if (given != null) {
                b = bindValue(c.getGenericType(), given, childPath);
            } else if (inherit.containsKey(key) && !c.getType().isRecord()) {
                b = bindValue(c.getGenericType(), inherit.get(key), childPath);
            } else if (override != null || componentDefault != null) {
                JsonNode d = merge(componentDefault, override);
                if (c.getType().isRecord() && d.isObject()) {
                    Bound<Record> r = bindComponents(c.getType(), NODES.objectNode(), childPath, d, inherit);
                    b = new Bound<>(r.value(), r.resolved());
                } else {
                    b = bindValue(c.getGenericType(), d, childPath);
                }
            } else if (c.getType().isRecord() && Options.allDefaulted(c.getType())) {
                Bound<Record> r = bindComponents(c.getType(), NODES.objectNode(), childPath, null, inherit);
                b = new Bound<>(r.value(), r.resolved());
            } else {
                Help help = c.getAnnotation(Help.class);
                throw error(path, "missing required key '" + key + "' (" + Options.typeName(c.getGenericType()) + ")"
                        + (help == null ? "" : ": " + help.value()));
            }
            if (inherit.containsKey(key) && !c.getType().isRecord()) {
                inherit.put(key, b.resolved());
            }
            args[i] = b.value();
            ObjectNode one = NODES.objectNode();
            one.set(key, b.resolved());
            resolvedParts[i] = one;
        }
        for (ObjectNode part : resolvedParts) {
            resolved.setAll(part);
        }
        return new Bound<>(construct(type, components, args, node, path), resolved);
    }

    private ObjectNode checked(Class<?> type, JsonNode given, String path) {
        checkKeys(type, given, path, Set.of());
        return (ObjectNode) given;
    }

    /** {@code over} merged key by key over {@code base} (either may be null); {@link Options} documents with it too. */
    static JsonNode merge(JsonNode base, JsonNode over) {
        if (over == null) {
            return base;
        }
        if (base == null || !base.isObject() || !over.isObject()) {
            return over;
        }
        ObjectNode m = ((ObjectNode) base).deepCopy();
        over.fields().forEachRemaining(e -> m.set(e.getKey(), merge(m.get(e.getKey()), e.getValue())));
        return m;
    }

    /**
     * Binds every {@link Default} of {@code type} (recursively) to its component's type, so a stage author's test
     * catches a malformed default or an unsupported component type at once, not when a user first runs the stage.
     */
    static void checkDefaults(Class<?> type) {
        List<String> keys = Options.keys(type);
        if (new LinkedHashSet<>(keys).size() != keys.size()) {
            throw new IllegalStateException(type.getName() + ": an @Inline block repeats a key of its holder: " + keys);
        }
        OptionsBinder b = new OptionsBinder(new SourceMap(type.getSimpleName()));
        for (RecordComponent c : type.getRecordComponents()) {
            checkType(c.getGenericType(), type.getName() + "." + c.getName());
            if (c.getAnnotation(Default.class) != null) {
                try {
                    b.bindValue(c.getGenericType(), defaultTree(type, c), Names.snake(c.getName()));
                } catch (RecipeException e) {
                    throw new IllegalStateException("@Default of " + type.getName() + "." + c.getName() + " does not fit its type: "
                            + e.getMessage(), e);
                }
            }
            Type t = c.getGenericType();
            if (t instanceof ParameterizedType) {
                for (Type a : ((ParameterizedType) t).getActualTypeArguments()) {
                    if (a instanceof Class && ((Class<?>) a).isRecord()) {
                        checkDefaults((Class<?>) a);
                    }
                }
            } else if (c.getType().isRecord()) {
                checkDefaults(c.getType());
            }
        }
    }

    private static void checkType(Type t, String where) {
        if (t instanceof ParameterizedType) {
            ParameterizedType pt = (ParameterizedType) t;
            Type[] a = pt.getActualTypeArguments();
            if ((List.class.equals(pt.getRawType()) || Collection.class.equals(pt.getRawType())) && a.length == 1) {
                checkType(a[0], where);
                return;
            }
            if (Map.class.equals(pt.getRawType()) && String.class.equals(a[0])) {
                checkType(a[1], where);
                return;
            }
        } else if (t instanceof Class) {
            Class<?> c = (Class<?>) t;
            if (c.isPrimitive() && c != char.class && c != byte.class && c != short.class || c.isEnum() || c.isRecord()
                    || List.of(Integer.class, Long.class, Double.class, Float.class, Boolean.class, String.class, Path.class,
                            Object.class, JsonNode.class).contains(c)) {
                return;
            }
        }
        throw new IllegalStateException(where + ": unsupported option type " + t.getTypeName()
                + " (use int, long, double, boolean, String, Path, an enum, a record, List<T> or Map<String,T>)");
    }

    /** The parsed {@link Default} of a component; a malformed default is a programming error. */
    static JsonNode defaultTree(Class<?> type, RecordComponent c) {
        String text = c.getAnnotation(Default.class).value();
        try {
            return YamlTree.parseValue(text, type.getSimpleName() + "." + c.getName() + " @Default");
        } catch (RecipeException e) {
            throw new IllegalStateException("bad @Default(\"" + text + "\") on " + type.getName() + "." + c.getName(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private Bound<Object> bindValue(Type type, JsonNode node, String path) {
        if (type instanceof ParameterizedType) {
            ParameterizedType pt = (ParameterizedType) type;
            Class<?> raw = (Class<?>) pt.getRawType();
            Type[] args = pt.getActualTypeArguments();
            if (node.isNull()) {
                return new Bound<>(null, node);
            }
            if (List.class.equals(raw) || Collection.class.equals(raw)) {
                if (!node.isArray()) {
                    throw typeError(path, type, node);
                }
                List<Object> out = new ArrayList<>();
                ArrayNode res = NODES.arrayNode();
                for (int i = 0; i < node.size(); i++) {
                    if (node.get(i).isNull()) {
                        throw error(ConfigPath.index(path, i), "expected " + Options.typeName(args[0]) + ", got null");
                    }
                    Bound<Object> b = bindValue(args[0], node.get(i), ConfigPath.index(path, i));
                    out.add(b.value());
                    res.add(b.resolved());
                }
                return new Bound<>(Collections.unmodifiableList(out), res);
            }
            if (Map.class.equals(raw) && String.class.equals(args[0])) {
                if (!node.isObject()) {
                    throw typeError(path, type, node);
                }
                Map<String, Object> out = new LinkedHashMap<>();
                ObjectNode res = NODES.objectNode();
                for (var it = node.fields(); it.hasNext(); ) {
                    var e = it.next();
                    Bound<Object> b = bindValue(args[1], e.getValue(), ConfigPath.child(path, e.getKey()));
                    out.put(e.getKey(), b.value());
                    res.set(e.getKey(), b.resolved());
                }
                return new Bound<>(Collections.unmodifiableMap(out), res);
            }
            throw new IllegalStateException("unsupported option type " + type + " at " + path);
        }
        Class<?> c = (Class<?>) type;
        if (c.isRecord()) {
            if (node.isNull()) {
                return new Bound<>(null, node);
            }
            RecordComponent[] rc = c.getRecordComponents();
            if (node.isValueNode() && rc.length > 0 && rc[0].getType() == String.class) {
                // Shorthand: `verifiers: [math]` means `[{name: math}]` when the record leads with a string.
                ObjectNode expanded = NODES.objectNode();
                expanded.set(Names.snake(rc[0].getName()), node);
                node = expanded;
            }
            Bound<? extends Record> b = bindRecord((Class<? extends Record>) c, node, path, Set.of());
            return new Bound<>(b.value(), b.resolved());
        }
        if (JsonNode.class.equals(c)) {
            return new Bound<>(node, node);
        }
        if (Object.class.equals(c)) {
            return new Bound<>(JSON.convertValue(node, Object.class), node);
        }
        if (node.isNull()) {
            if (c.isPrimitive()) {
                throw typeError(path, type, node);
            }
            return new Bound<>(null, node);
        }
        if (c == int.class || c == Integer.class) {
            if (!node.isIntegralNumber() || !node.canConvertToInt()) {
                throw typeError(path, type, node);
            }
            return new Bound<>(node.intValue(), NODES.numberNode(node.intValue()));
        }
        if (c == long.class || c == Long.class) {
            if (!node.isIntegralNumber() || !node.canConvertToLong()) {
                throw typeError(path, type, node);
            }
            return new Bound<>(node.longValue(), NODES.numberNode(node.longValue()));
        }
        if (c == double.class || c == Double.class || c == float.class || c == Float.class) {
            if (!node.isNumber()) {
                throw typeError(path, type, node);
            }
            if (c == float.class || c == Float.class) {
                return new Bound<>(node.floatValue(), NODES.numberNode(node.floatValue()));
            }
            return new Bound<>(node.doubleValue(), NODES.numberNode(node.doubleValue()));
        }
        if (c == boolean.class || c == Boolean.class) {
            if (!node.isBoolean()) {
                throw typeError(path, type, node);
            }
            return new Bound<>(node.booleanValue(), node);
        }
        if (c == String.class) {
            // YAML types `name: 1.0` as a number; a user who meant the text should not have to quote it.
            if (!node.isValueNode()) {
                throw typeError(path, type, node);
            }
            return new Bound<>(node.asText(), NODES.textNode(node.asText()));
        }
        if (c == Path.class) {
            if (!node.isTextual()) {
                throw typeError(path, type, node);
            }
            try {
                return new Bound<>(Path.of(node.asText()), node);
            } catch (InvalidPathException e) {
                throw error(path, "not a valid path: " + e.getMessage());
            }
        }
        if (c.isEnum()) {
            if (!node.isTextual()) {
                throw typeError(path, type, node);
            }
            @SuppressWarnings({"unchecked", "rawtypes"})
            Enum<?> constant = OptionRecords.enumConstant((Class) c, node.asText());
            if (constant != null) {
                return new Bound<>(constant, NODES.textNode(Names.enumKey(constant.name())));
            }
            List<String> names = new ArrayList<>();
            for (Object k : c.getEnumConstants()) {
                names.add(Names.enumKey(((Enum<?>) k).name()));
            }
            throw error(path, "expected one of " + String.join("|", names) + ", got " + Describe.value(node)
                    + DidYouMean.hint(node.asText(), names));
        }
        throw new IllegalStateException("unsupported option type " + c.getName() + " at " + path);
    }

    private Record construct(Class<?> type, RecordComponent[] components, Object[] args, JsonNode node, String path) {
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
        }
        try {
            Constructor<?> ctor = type.getDeclaredConstructor(types);
            ctor.setAccessible(true);
            return (Record) ctor.newInstance(args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            String message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
            // Point at the key the validation message talks about, when it names one that was written down.
            String where = path;
            // A message that starts with a path below one of the keys ("verifiers[1].gate: …") points at that path.
            Matcher lead = LEADING_PATH.matcher(message);
            String leadKey = lead.lookingAt() ? lead.group(1).split("[.\\[]", 2)[0] : null;
            for (RecordComponent c : leadKey == null ? new RecordComponent[0] : components) {
                if (Names.snake(c.getName()).equals(leadKey) && node.has(leadKey)) {
                    throw new RecipeException(sources.locate(ConfigPath.child(path, lead.group(1))) + ": "
                            + (path.isEmpty() ? "" : path + ": ") + message, cause);
                }
            }
            for (RecordComponent c : components) {
                String key = Names.snake(c.getName());
                Pattern word = Pattern.compile("(?<![A-Za-z0-9_])(" + Pattern.quote(key) + "|" + Pattern.quote(c.getName()) + ")(?![A-Za-z0-9_])");
                if (node.has(key) && word.matcher(message).find()) {
                    where = ConfigPath.child(path, key);
                    break;
                }
            }
            throw new RecipeException(sources.locate(where) + ": " + (path.isEmpty() ? "" : path + ": ") + message, cause);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot construct " + type.getName() + ": " + e, e);
        }
    }

    private RecipeException typeError(String path, Type type, JsonNode node) {
        return error(path, "expected " + Options.typeName(type) + ", got " + Describe.value(node));
    }

    private RecipeException error(String path, String message) {
        return RecipeException.at(sources.locate(path), path, message);
    }
}

package dev.r1j.recipes.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Reads YAML into a Jackson tree while recording the line of every key and list element, which Jackson's own
 * {@code readTree} forgets. Scalars are typed as YAML types them ({@code 50} an integer, {@code "50"} a string,
 * {@code true} a boolean, {@code ~} null).
 *
 * <pre>{@code
 * LocatedTree t = YamlTree.parse("seed: 1\nstages:\n  - grpo: {steps: 5}\n", "r.yaml");
 * t.sources().locate("stages[0].grpo.steps").line();   // 3
 * }</pre>
 */
public final class YamlTree {
    private static final YAMLFactory YAML = new YAMLFactory();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private YamlTree() {}

    /** Parses one YAML document; empty input, invalid YAML or duplicate keys are a {@link RecipeException}. */
    public static LocatedTree parse(String text, String sourceName) {
        SourceMap sources = new SourceMap(sourceName);
        try (JsonParser p = YAML.createParser(text)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new RecipeException(sourceName + ": the file is empty");
            }
            JsonNode root = read(p, "", sources, sourceName);
            if (p.nextToken() != null) {
                throw new RecipeException(sourceName + " line " + p.currentTokenLocation().getLineNr()
                        + ": more than one YAML document; a recipe is one document");
            }
            return new LocatedTree(root, sources);
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new RecipeException(new Location(sourceName, line) + ": invalid YAML: " + firstLine(e.getOriginalMessage()), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses a single value as YAML ({@code --set} right-hand sides): {@code 50}, {@code dapo}, {@code [a, b]}. */
    public static JsonNode parseValue(String text, String what) {
        if (text.isBlank()) {
            return NODES.nullNode();
        }
        try (JsonParser p = YAML.createParser(text)) {
            p.nextToken();
            JsonNode node = read(p, "", new SourceMap(what), what);
            if (p.nextToken() != null) {
                throw new RecipeException(what + ": not a single YAML value: '" + text + "'");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new RecipeException(what + ": invalid YAML value '" + text + "': " + firstLine(e.getOriginalMessage()), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode read(JsonParser p, String path, SourceMap sources, String sourceName) throws IOException {
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT: {
                ObjectNode obj = NODES.objectNode();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    int line = p.currentTokenLocation().getLineNr();
                    String child = ConfigPath.child(path, name);
                    if (obj.has(name)) {
                        throw RecipeException.at(new Location(sourceName, line), path, "duplicate key '" + name
                                + "' (first at line " + sources.locate(child).line() + ")");
                    }
                    sources.put(child, new Location(sourceName, line));
                    p.nextToken();
                    obj.set(name, read(p, child, sources, sourceName));
                }
                return obj;
            }
            case START_ARRAY: {
                ArrayNode arr = NODES.arrayNode();
                int i = 0;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    String child = ConfigPath.index(path, i++);
                    sources.put(child, new Location(sourceName, p.currentTokenLocation().getLineNr()));
                    arr.add(read(p, child, sources, sourceName));
                }
                return arr;
            }
            case VALUE_STRING:
                return NODES.textNode(p.getText());
            case VALUE_NUMBER_INT:
                switch (p.getNumberType()) {
                    case INT:
                        return NODES.numberNode(p.getIntValue());
                    case LONG:
                        return NODES.numberNode(p.getLongValue());
                    default:
                        return NODES.numberNode(p.getBigIntegerValue());
                }
            case VALUE_NUMBER_FLOAT:
                return NODES.numberNode(p.getDoubleValue());
            case VALUE_TRUE:
                return NODES.booleanNode(true);
            case VALUE_FALSE:
                return NODES.booleanNode(false);
            case VALUE_NULL:
                return NODES.nullNode();
            default:
                throw RecipeException.at(new Location(sourceName, p.currentTokenLocation().getLineNr()), path,
                        "unsupported YAML value (" + t + ")");
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).trim();
    }
}

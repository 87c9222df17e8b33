package dev.r1j.recipes.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1j.recipes.config.YamlTree;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parses repeated {@code key=value} options whose values are YAML ({@code 3} an integer, {@code [a, b]} a list). */
final class KeyValues {
    private static final ObjectMapper JSON = new ObjectMapper();

    private KeyValues() {}

    static Map<String, Object> parse(List<String> pairs, String option) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String p : pairs) {
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new CliException(option + " expects KEY=VALUE, got '" + p + "'");
            }
            String key = p.substring(0, eq).trim();
            Object value = JSON.convertValue(YamlTree.parseValue(p.substring(eq + 1).trim(), option + " " + p), Object.class);
            if (out.put(key, value) != null) {
                throw new CliException(option + " " + key + " is given twice");
            }
        }
        return out;
    }
}

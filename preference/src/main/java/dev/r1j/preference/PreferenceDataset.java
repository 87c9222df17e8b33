package dev.r1j.preference;

import dev.r1j.core.data.JsonlDataset;
import dev.r1j.core.data.JsonlRow;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads preference pairs from JSONL: one object per line with {@code prompt}, {@code chosen} and {@code rejected}
 * (other names by argument). The prompt is a string, or a conversation (an array of {@code {role, content}}, TRL's
 * conversational format); a completion is a string, or an array holding the one assistant message. A bad row is one
 * error naming {@code file:line} and the field.
 *
 * <pre>{@code
 * List<PreferencePair> pairs = PreferenceDataset.read(Path.of("pairs.jsonl"));
 * // {"prompt": "12+7=", "chosen": "19", "rejected": "18"}
 * // {"prompt": [{"role": "user", "content": "12+7?"}], "chosen": [{"role": "assistant", "content": "19"}], ...}
 * }</pre>
 */
public final class PreferenceDataset {
    private PreferenceDataset() {}

    public static List<PreferencePair> read(Path file) {
        return read(file, "prompt", "chosen", "rejected");
    }

    public static List<PreferencePair> read(Path file, String promptField, String chosenField, String rejectedField) {
        List<PreferencePair> out = new ArrayList<>();
        for (JsonlRow row : JsonlDataset.read(file).rows()) {
            String chosen = completion(row, chosenField), rejected = completion(row, rejectedField);
            if (chosen.equals(rejected)) {
                throw new IllegalArgumentException(row.where() + ": '" + chosenField + "' and '" + rejectedField
                        + "' are the same text; a pair needs two different completions");
            }
            out.add((row.fields().get(promptField) instanceof List<?>
                    ? PreferencePair.chat(row.requireMessages(promptField), chosen, rejected)
                    : new PreferencePair(row.requireString(promptField), chosen, rejected)).from(row.where()));
        }
        return out;
    }

    private static String completion(JsonlRow row, String field) {
        if (!(row.fields().get(field) instanceof List<?>)) return row.requireString(field);
        List<Map<String, String>> msgs = row.requireMessages(field);
        if (msgs.size() != 1 || !"assistant".equals(msgs.get(0).get("role"))) {
            throw new IllegalArgumentException(row.where() + ": field '" + field + "' must be a string or an array "
                    + "with one assistant message, got " + msgs.size() + " message(s) starting with role '"
                    + msgs.get(0).get("role") + "'");
        }
        return msgs.get(0).get("content");
    }
}

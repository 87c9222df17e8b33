package dev.r1j.preference;

import dev.r1j.core.data.JsonlDataset;
import dev.r1j.core.data.JsonlRow;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads preference pairs from JSONL: one object per line with string fields {@code prompt}, {@code chosen} and
 * {@code rejected} (other names by argument). A bad row is one error naming {@code file:line} and the field.
 *
 * <pre>{@code
 * List<PreferencePair> pairs = PreferenceDataset.read(Path.of("pairs.jsonl"));
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
            PreferencePair p = new PreferencePair(row.requireString(promptField), row.requireString(chosenField),
                    row.requireString(rejectedField));
            if (p.chosen().equals(p.rejected())) {
                throw new IllegalArgumentException(row.where() + ": '" + chosenField + "' and '" + rejectedField
                        + "' are the same text; a pair needs two different completions");
            }
            out.add(p);
        }
        return out;
    }
}

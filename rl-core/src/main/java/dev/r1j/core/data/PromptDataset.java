package dev.r1j.core.data;

import dev.r1j.verifiers.eval.Gsm8kAnswer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prompts (and reference fields) from a JSONL file, with field-name mapping, answer extraction and a prompt
 * template, and deterministic epoch iteration through {@link #cursor(long)}.
 *
 * <p>Each row needs the prompt field (default {@code prompt}) or the messages field (default {@code messages}).
 * Every other field is kept as a reference field for the verifiers, the answer field renamed to {@code answer}
 * and, with {@link AnswerFormat#GSM8K}, reduced to the number after {@code ####} (thousands separators dropped).
 * The template replaces {@code {prompt}} (and {@code {field}} for any other field of the row).
 *
 * <pre>{@code
 * // GSM8K rows: {"question": "...", "answer": "... #### 72"}
 * PromptDataset gsm = PromptDataset.load(Path.of("gsm8k_train.jsonl"), PromptDataset.Options.defaults()
 *         .withPromptField("question").withAnswerFormat(PromptDataset.AnswerFormat.GSM8K)
 *         .withTemplate("Question: {prompt}\nAnswer:"));
 * gsm.get(0).answer();   // "72"
 * EpochCursor c = gsm.cursor(42L);
 * }</pre>
 */
public final class PromptDataset {

    /** How to read the answer field. */
    public enum AnswerFormat {
        /** The value as it is (numbers become their JSON text). */
        PLAIN,
        /** GSM8K: the text after the last {@code ####}, stripped, without thousands separators. */
        GSM8K;

        public static AnswerFormat parse(String s) {
            for (AnswerFormat f : values()) if (f.name().equalsIgnoreCase(s == null ? "" : s.trim())) return f;
            throw new IllegalArgumentException("answer_format: expected plain or gsm8k, got '" + s + "'");
        }
    }

    /**
     * How to read rows.
     *
     * @param promptField     field holding the prompt text
     * @param messagesField   field holding chat messages (used when the prompt field is absent)
     * @param completionField field holding the SFT target completion (optional in rows)
     * @param answerField     field holding the reference answer (kept as {@code answer})
     * @param answerFormat    how to read the answer
     * @param template        prompt template with {@code {prompt}} (or {@code null} for the prompt as is)
     * @param required        reference fields every row must have (after renaming), e.g. {@code [answer]}
     */
    public record Options(String promptField, String messagesField, String completionField, String answerField,
                          AnswerFormat answerFormat, String template, List<String> required) {
        public Options {
            if (promptField == null || promptField.isBlank()) throw new IllegalArgumentException("prompt_field must be set");
            if (messagesField == null || messagesField.isBlank()) throw new IllegalArgumentException("messages_field must be set");
            if (completionField == null || completionField.isBlank()) throw new IllegalArgumentException("completion_field must be set");
            if (answerField == null || answerField.isBlank()) throw new IllegalArgumentException("answer_field must be set");
            if (answerFormat == null) answerFormat = AnswerFormat.PLAIN;
            if (template != null && !template.contains("{")) {
                throw new IllegalArgumentException("template must contain {prompt} (or another {field}), got '" + template + "'");
            }
            required = required == null ? List.of() : List.copyOf(required);
        }

        public static Options defaults() {
            return new Options("prompt", "messages", "completion", "answer", AnswerFormat.PLAIN, null, List.of());
        }

        /** GSM8K's layout: {@code question} and {@code answer} with {@code #### N}. */
        public static Options gsm8k() {
            return defaults().withPromptField("question").withAnswerFormat(AnswerFormat.GSM8K).withRequired(List.of("answer"));
        }

        public Options withPromptField(String f) {
            return new Options(f, messagesField, completionField, answerField, answerFormat, template, required);
        }

        public Options withMessagesField(String f) {
            return new Options(promptField, f, completionField, answerField, answerFormat, template, required);
        }

        public Options withCompletionField(String f) {
            return new Options(promptField, messagesField, f, answerField, answerFormat, template, required);
        }

        public Options withAnswerField(String f) {
            return new Options(promptField, messagesField, completionField, f, answerFormat, template, required);
        }

        public Options withAnswerFormat(AnswerFormat f) {
            return new Options(promptField, messagesField, completionField, answerField, f, template, required);
        }

        public Options withTemplate(String t) {
            return new Options(promptField, messagesField, completionField, answerField, answerFormat, t, required);
        }

        public Options withRequired(List<String> r) {
            return new Options(promptField, messagesField, completionField, answerField, answerFormat, template, r);
        }
    }

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)}");

    private final Path file;
    private final List<PromptExample> examples;

    private PromptDataset(Path file, List<PromptExample> examples) {
        this.file = file;
        this.examples = List.copyOf(examples);
    }

    public static PromptDataset load(Path file, Options options) {
        JsonlDataset raw = JsonlDataset.read(file);
        List<PromptExample> out = new ArrayList<>(raw.size());
        for (JsonlRow row : raw.rows()) out.add(toExample(row, options));
        return new PromptDataset(file, out);
    }

    public static PromptDataset load(Path file) {
        return load(file, Options.defaults());
    }

    /** Maps one row; package-visible for tests. */
    static PromptExample toExample(JsonlRow row, Options o) {
        Map<String, Object> f = row.fields();
        String prompt = null;
        List<Map<String, String>> messages = null;
        if (f.containsKey(o.promptField())) {
            prompt = string(row, o.promptField());
        } else if (f.containsKey(o.messagesField())) {
            messages = row.requireMessages(o.messagesField());
        } else {
            throw new IllegalArgumentException(row.where() + ": missing field '" + o.promptField() + "' (or '"
                    + o.messagesField() + "'); the row has " + f.keySet()
                    + " (map another field with prompt_field / messages_field)");
        }
        String completion = f.containsKey(o.completionField()) ? string(row, o.completionField()) : null;

        Map<String, Object> ref = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : f.entrySet()) {
            String k = e.getKey();
            if (k.equals(o.promptField()) || k.equals(o.messagesField()) || k.equals(o.completionField())) continue;
            if (k.equals(o.answerField())) ref.put("answer", answer(row, k, e.getValue(), o.answerFormat()));
            else ref.putIfAbsent(k, e.getValue());
        }
        for (String r : o.required()) {
            if (!ref.containsKey(r) || ref.get(r) == null) {
                String name = r.equals("answer") ? o.answerField() : r;
                throw new IllegalArgumentException(row.where() + ": missing required field '" + name + "'; the row has "
                        + f.keySet());
            }
        }
        if (prompt != null && o.template() != null) prompt = applyTemplate(row, o.template(), prompt);
        return new PromptExample(prompt, messages, completion, ref, row.where());
    }

    private static String applyTemplate(JsonlRow row, String template, String prompt) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String value;
            if (name.equals("prompt")) value = prompt;
            else if (row.fields().containsKey(name)) value = String.valueOf(row.fields().get(name));
            else throw new IllegalArgumentException(row.where() + ": template uses {" + name + "} but the row has no field '"
                    + name + "' (fields: " + row.fields().keySet() + ")");
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static String string(JsonlRow row, String field) {
        Object v = row.fields().get(field);
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException(row.where() + ": field '" + field + "' must be a string, got "
                    + JsonlRow.describe(v));
        }
        return s;
    }

    private static Object answer(JsonlRow row, String field, Object v, AnswerFormat format) {
        if (v == null) return null;
        if (format == AnswerFormat.PLAIN) return v instanceof String || v instanceof Number || v instanceof Boolean ? v.toString() : v;
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException(row.where() + ": field '" + field + "' must be a string with '#### N' (gsm8k), got "
                    + JsonlRow.describe(v));
        }
        String a = Gsm8kAnswer.parse(s);
        if (a == null) {
            throw new IllegalArgumentException(row.where() + ": field '" + field
                    + "' has no '#### <answer>' line (answer_format gsm8k)");
        }
        if (a.isEmpty()) throw new IllegalArgumentException(row.where() + ": field '" + field + "' is empty after '####'");
        return a;
    }


    public Path file() {
        return file;
    }

    public int size() {
        return examples.size();
    }

    public PromptExample get(int i) {
        return examples.get(i);
    }

    public List<PromptExample> examples() {
        return examples;
    }

    /** A seeded shuffled cursor over this dataset's indices; save its {@link EpochCursor#position()} to resume. */
    public EpochCursor cursor(long seed) {
        return new EpochCursor(size(), seed, true);
    }

    /** The next {@code n} examples from {@code cursor}. */
    public List<PromptExample> next(EpochCursor cursor, int n) {
        if (cursor.size() != size()) {
            throw new IllegalArgumentException("cursor is over " + cursor.size() + " items, dataset has " + size());
        }
        List<PromptExample> out = new ArrayList<>(n);
        for (int i : cursor.next(n)) out.add(examples.get(i));
        return out;
    }
}

package dev.r1j.verifiers.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.zip.GZIPInputStream;

/**
 * Adapters from the benchmark files bundled in {@code data/benchmarks/} to {@link EvalProblem}s, by name:
 * <table>
 *   <caption>datasets</caption>
 *   <tr><th>name</th><th>file</th><th>prompt</th><th>reference</th><th>verifier</th></tr>
 *   <tr><td>{@code gsm8k_test}, {@code gsm8k_train}</td><td>gsm8k_*.jsonl</td><td>question</td>
 *       <td>{@code answer}: the text after {@code ####}; {@code solution}: the worked answer</td><td>math</td></tr>
 *   <tr><td>{@code math500_test}</td><td>math500_test.jsonl</td><td>problem</td>
 *       <td>{@code answer}, {@code solution}, {@code subject}, {@code level}</td><td>math</td></tr>
 *   <tr><td>{@code humaneval}</td><td>HumanEval.jsonl.gz</td><td>prompt (the signature and docstring)</td>
 *       <td>{@code prompt}, {@code tests} (test), {@code entry_point}, {@code language: python}</td><td>code</td></tr>
 *   <tr><td>{@code mbpp}</td><td>mbpp.jsonl</td><td>text, then "Your code should pass these tests:" and the
 *       test_list (the MBPP paper's prompt)</td><td>{@code tests} (test_setup_code lines, then test_list),
 *       {@code language: python}</td><td>code</td></tr>
 * </table>
 * Ids are {@code name/<task id>} (the row number, 1-based, when the file has none).
 *
 * <pre>{@code
 * List<EvalProblem> gsm = EvalDatasets.load("gsm8k_test", Path.of("data/benchmarks/gsm8k_test.jsonl"));
 * List<EvalProblem> he = EvalDatasets.loadBundled("humaneval", Path.of("data/benchmarks"));
 * }</pre>
 */
public final class EvalDatasets {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> FILES = new LinkedHashMap<>();
    private static final Map<String, BiFunction<Row, String, EvalProblem>> ADAPTERS = new LinkedHashMap<>();

    static {
        add("gsm8k_test", "gsm8k_test.jsonl", EvalDatasets::gsm8k);
        add("gsm8k_train", "gsm8k_train.jsonl", EvalDatasets::gsm8k);
        add("math500_test", "math500_test.jsonl", EvalDatasets::math500);
        add("humaneval", "HumanEval.jsonl.gz", EvalDatasets::humanEval);
        add("mbpp", "mbpp.jsonl", EvalDatasets::mbpp);
    }

    private EvalDatasets() {}

    private static void add(String name, String file, BiFunction<Row, String, EvalProblem> adapter) {
        FILES.put(name, file);
        ADAPTERS.put(name, adapter);
    }

    /** The dataset names. */
    public static List<String> names() {
        return List.copyOf(ADAPTERS.keySet());
    }

    /** The bundled file name of dataset {@code name}, e.g. {@code HumanEval.jsonl.gz}. */
    public static String fileName(String name) {
        check(name);
        return FILES.get(name);
    }

    /** Loads dataset {@code name} from its bundled file under {@code benchmarksDir}. */
    public static List<EvalProblem> loadBundled(String name, Path benchmarksDir) {
        return load(name, benchmarksDir.resolve(fileName(name)));
    }

    /**
     * Loads {@code file} (JSONL; gzip when the name ends in {@code .gz}) with the adapter of {@code name}.
     *
     * @throws IllegalArgumentException for an unknown name, a missing file, or a row that is not JSON or lacks a
     *     field, naming the file, the line and the field
     */
    public static List<EvalProblem> load(String name, Path file) {
        check(name);
        BiFunction<Row, String, EvalProblem> adapter = ADAPTERS.get(name);
        List<EvalProblem> out = new ArrayList<>();
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String text;
            int line = 0;
            while ((text = r.readLine()) != null) {
                line++;
                if (text.isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = JSON.readTree(text);
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalArgumentException(file + ":" + line + ": not valid JSON: " + e.getOriginalMessage());
                }
                if (node == null || !node.isObject()) {
                    throw new IllegalArgumentException(file + ":" + line + ": expected a JSON object");
                }
                out.add(adapter.apply(new Row(file, line, node), name));
            }
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("benchmark file not found: " + file.toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(file + ": no rows");
        }
        return out;
    }

    private static void check(String name) {
        if (!ADAPTERS.containsKey(name)) {
            throw new IllegalArgumentException("unknown benchmark '" + name + "'; known: " + String.join(", ", ADAPTERS.keySet()));
        }
    }

    /** A JSON row with its position, for error messages. */
    private record Row(Path file, int line, JsonNode node) {
        String text(String field) {
            JsonNode v = node.get(field);
            if (v == null || !v.isTextual()) {
                throw new IllegalArgumentException(file + ":" + line + ": field '" + field + "' "
                        + (v == null ? "is missing" : "is " + v.getNodeType()) + ", expected a string");
            }
            return v.asText();
        }

        List<String> strings(String field) {
            JsonNode v = node.get(field);
            if (v == null || !v.isArray()) {
                throw new IllegalArgumentException(file + ":" + line + ": field '" + field + "' "
                        + (v == null ? "is missing" : "is " + v.getNodeType()) + ", expected a list of strings");
            }
            List<String> out = new ArrayList<>();
            for (JsonNode e : v) {
                if (!e.isTextual()) {
                    throw new IllegalArgumentException(file + ":" + line + ": field '" + field + "' holds a "
                            + e.getNodeType() + ", expected strings");
                }
                out.add(e.asText());
            }
            return out;
        }

        String id(String name, String field) {
            JsonNode v = node.get(field);
            String local = v == null || v.isNull() ? Integer.toString(line) : v.asText();
            return local.contains("/") ? local : name + "/" + local;
        }
    }

    private static EvalProblem gsm8k(Row row, String name) {
        String solution = row.text("answer");
        String answer = Gsm8kAnswer.parse(solution);
        if (answer == null) {
            throw new IllegalArgumentException(row.file() + ":" + row.line() + ": field 'answer' has no '#### <answer>' line");
        }
        return new EvalProblem(name + "/" + row.line(), row.text("question"),
                Map.of("answer", answer, "solution", solution));
    }

    private static EvalProblem math500(Row row, String name) {
        Map<String, Object> ref = new LinkedHashMap<>();
        ref.put("answer", row.text("answer"));
        ref.put("solution", row.text("solution"));
        ref.put("subject", row.text("subject"));
        ref.put("level", row.node().path("level").asInt());
        return new EvalProblem(row.id(name, "unique_id"), row.text("problem"), ref);
    }

    private static EvalProblem humanEval(Row row, String name) {
        String prompt = row.text("prompt");
        return new EvalProblem(row.text("task_id"), prompt, Map.of("prompt", prompt, "tests", row.text("test"),
                "entry_point", row.text("entry_point"), "language", "python"));
    }

    private static EvalProblem mbpp(Row row, String name) {
        List<String> tests = row.strings("test_list");
        List<String> all = new ArrayList<>();
        JsonNode setup = row.node().get("test_setup_code");
        if (setup != null && setup.isTextual() && !setup.asText().isBlank()) {
            all.addAll(setup.asText().lines().toList());
        }
        all.addAll(tests);
        String prompt = row.text("text") + "\nYour code should pass these tests:\n\n" + String.join("\n", tests) + "\n";
        return new EvalProblem(row.id(name, "task_id"), prompt, Map.of("tests", all, "language", "python"));
    }
}

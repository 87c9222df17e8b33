package dev.r1j.verifiers.code;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/** The bundled HumanEval problems, found by walking up from the module directory to the repo root. */
record HumanEval(String taskId, String prompt, String canonicalSolution, String test, String entryPoint) {

    Map<String, Object> reference() {
        return Map.of("prompt", prompt, "tests", test, "entry_point", entryPoint);
    }

    static Path repoFile(String relative) {
        for (Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve(relative))) {
                return p.resolve(relative);
            }
        }
        throw new IllegalStateException(relative + " not found above " + System.getProperty("user.dir"));
    }

    static List<HumanEval> load() throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<HumanEval> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(repoFile("data/benchmarks/HumanEval.jsonl.gz"))),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                Map<?, ?> m = json.readValue(line, Map.class);
                out.add(new HumanEval((String) m.get("task_id"), (String) m.get("prompt"),
                        (String) m.get("canonical_solution"), (String) m.get("test"), (String) m.get("entry_point")));
            }
        }
        return out;
    }
}

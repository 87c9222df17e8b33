package dev.r1j.verifiers.math;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads the datasets bundled at {@code data/benchmarks/} of the repository (found by walking up from the module). */
final class BenchmarkData {
    private BenchmarkData() {}

    static Path file(String name) {
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            Path f = p.resolve("data").resolve("benchmarks").resolve(name);
            if (Files.isRegularFile(f)) {
                return f;
            }
        }
        throw new IllegalStateException("data/benchmarks/" + name + " not found above " + dir);
    }

    static List<JsonNode> jsonl(String name) {
        Path f = file(name);
        ObjectMapper om = new ObjectMapper();
        List<JsonNode> rows = new ArrayList<>();
        try {
            int lineNo = 0;
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                lineNo++;
                if (!line.isBlank()) {
                    try {
                        rows.add(om.readTree(line));
                    } catch (IOException e) {
                        throw new IllegalStateException(f + ":" + lineNo + ": not JSON: " + e.getMessage(), e);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows;
    }
}

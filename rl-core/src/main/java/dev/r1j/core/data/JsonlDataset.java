package dev.r1j.core.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * A JSONL file read into memory: one JSON object per non-blank line ({@code .jsonl.gz} is read through gzip).
 * A line that is not valid JSON, or not an object, is an {@link IllegalArgumentException} naming
 * {@code file:line}.
 *
 * <pre>{@code
 * JsonlDataset ds = JsonlDataset.read(Path.of("data/arith-train.jsonl"));
 * JsonlRow first = ds.rows().get(0);   // first.fields().get("prompt")
 * }</pre>
 */
public final class JsonlDataset {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    private final Path file;
    private final List<JsonlRow> rows;

    private JsonlDataset(Path file, List<JsonlRow> rows) {
        this.file = file;
        this.rows = List.copyOf(rows);
    }

    public static JsonlDataset read(Path file) {
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(file.toAbsolutePath() + " is a directory; expected a dataset file "
                    + "(JSONL: one JSON object per line)");
        }
        List<JsonlRow> rows = new ArrayList<>();
        try (BufferedReader r = open(file)) {
            String text;
            int line = 0;
            while ((text = r.readLine()) != null) {
                line++;
                if (line == 1 && text.startsWith("\uFEFF")) text = text.substring(1);
                if (text.isBlank()) continue;
                rows.add(parse(file, line, text));
            }
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("dataset file not found: " + file.toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read dataset " + file + ": " + e.getMessage(), e);
        }
        if (rows.isEmpty()) throw new IllegalArgumentException(file + ": the dataset has no rows");
        return new JsonlDataset(file, rows);
    }

    private static BufferedReader open(Path file) throws IOException {
        var in = Files.newInputStream(file);
        if (file.getFileName().toString().endsWith(".gz")) in = new GZIPInputStream(in);
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    private static JsonlRow parse(Path file, int line, String text) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ":" + line + ": not valid JSON (" + e.getOriginalMessage()
                    + "); expected one JSON object per line");
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(file + ":" + line + ": expected a JSON object per line, got "
                    + (node == null ? "nothing" : node.getNodeType().name().toLowerCase(java.util.Locale.ROOT)));
        }
        return new JsonlRow(file, line, JSON.convertValue(node, MAP));
    }

    public Path file() {
        return file;
    }

    public List<JsonlRow> rows() {
        return rows;
    }

    public int size() {
        return rows.size();
    }
}

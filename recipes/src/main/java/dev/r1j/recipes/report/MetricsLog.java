package dev.r1j.recipes.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Appends one JSON object per step to a run's {@code metrics.jsonl}, tagged with the stage, and flushes each line
 * (a crash loses at most the line being written). Fields are the trainers' own (for GRPO those of
 * {@code GrpoStepMetrics.toJson}: {@code reward_mean}, {@code loss}, {@code kl}, …); non-finite numbers are written
 * as {@code null}.
 *
 * <p>Resuming: the first {@link #log} of a session first drops the lines that a resumed run is about to write again,
 * i.e. this stage's lines at that step or later and every line of a later stage, so a resumed run leaves the same
 * file as an uninterrupted one. {@link #truncateAfter} does the same explicitly.
 *
 * <pre>{@code
 * try (MetricsLog log = MetricsLog.open(runDir.resolve("metrics.jsonl"), "grpo", 1)) {
 *     log.log(1, Map.of("reward_mean", 0.25, "loss", 0.7));
 * }
 * // {"step":1,"stage":"grpo","stage_index":1,"reward_mean":0.25,"loss":0.7}
 * }</pre>
 */
public final class MetricsLog implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> RESERVED = Set.of("step", "stage", "stage_index");

    private final Path file;
    private final String stage;
    private final int stageIndex;
    private BufferedWriter writer;
    private boolean written;

    private MetricsLog(Path file, String stage, int stageIndex) {
        this.file = file;
        this.stage = stage;
        this.stageIndex = stageIndex;
    }

    /** Opens (creating if needed) {@code file} for appending lines of stage {@code stage} at {@code stageIndex}. */
    public static MetricsLog open(Path file, String stage, int stageIndex) {
        MetricsLog log = new MetricsLog(file, stage, stageIndex);
        log.openWriter();
        return log;
    }

    public String stage() {
        return stage;
    }

    public Path file() {
        return file;
    }

    /** Writes one line: {@code step}, {@code stage}, {@code stage_index}, then {@code values} in their order. */
    public synchronized void log(long step, Map<String, ?> values) {
        if (!written) {
            truncateAfter(step - 1);
        }
        ObjectNode line = JSON.createObjectNode();
        line.put("step", step);
        line.put("stage", stage);
        line.put("stage_index", stageIndex);
        for (Map.Entry<String, ?> e : values.entrySet()) {
            if (RESERVED.contains(e.getKey())) {
                throw new IllegalArgumentException("metric name '" + e.getKey() + "' is reserved (set by MetricsLog)");
            }
            Object v = e.getValue();
            if (v instanceof Double && !Double.isFinite((Double) v) || v instanceof Float && !Float.isFinite((Float) v)) {
                line.putNull(e.getKey());
            } else {
                line.set(e.getKey(), JSON.valueToTree(v));
            }
        }
        try {
            writer.write(JSON.writeValueAsString(line));
            writer.write('\n');
            writer.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
        written = true;
    }

    /**
     * Drops this stage's lines with a step greater than {@code step}, and every line of a later stage; earlier
     * stages' lines stay. Call it after restoring a checkpoint of step {@code step}.
     */
    public synchronized void truncateAfter(long step) {
        List<String> keep = new ArrayList<>();
        boolean dropped = false;
        for (String raw : readLines(file)) {
            JsonNode n = parse(raw);
            boolean drop = n != null && (n.path("stage_index").asInt() > stageIndex
                    || n.path("stage_index").asInt() == stageIndex && n.path("step").asLong() > step);
            if (n == null || drop) {
                dropped = true; // a torn last line from a crash goes too
            } else {
                keep.add(raw);
            }
        }
        if (!dropped) {
            return;
        }
        closeWriter();
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, keep, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrite " + file + ": " + e.getMessage(), e);
        }
        openWriter();
    }

    /** Every complete line of a metrics file as a JSON object (a torn or malformed line is skipped). */
    public static List<ObjectNode> read(Path file) {
        List<ObjectNode> out = new ArrayList<>();
        for (String raw : readLines(file)) {
            JsonNode n = parse(raw);
            if (n instanceof ObjectNode) {
                out.add((ObjectNode) n);
            }
        }
        return out;
    }

    @Override
    public synchronized void close() {
        closeWriter();
    }

    private static List<String> readLines(Path file) {
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            List<String> lines = new ArrayList<>();
            for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!l.isBlank()) {
                    lines.add(l);
                }
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static JsonNode parse(String raw) {
        try {
            JsonNode n = JSON.readTree(raw);
            return n != null && n.isObject() ? n : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private void openWriter() {
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file + ": " + e.getMessage(), e);
        }
    }

    private void closeWriter() {
        if (writer != null) {
            try {
                writer.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot close " + file + ": " + e.getMessage(), e);
            }
            writer = null;
        }
    }
}

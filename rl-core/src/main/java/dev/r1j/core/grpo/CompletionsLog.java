package dev.r1j.core.grpo;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Appends {@code completions.jsonl}, a sample of each logged step's scored completions, in a stage directory (the
 * metrics stream is recipes' {@code MetricsLog}). On resume, {@link #truncateAfter} drops the lines of steps after
 * the checkpoint, so a resumed run leaves the same file as an uninterrupted one.
 *
 * <pre>{@code
 * CompletionsLog log = new CompletionsLog(stageDir);
 * trainer.train(source, m -> log.appendCompletions(m.step(), trainer.lastCompletions(), 16));
 * }</pre>
 */
public final class CompletionsLog {
    public static final String COMPLETIONS = "completions.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;

    public CompletionsLog(Path runDir) {
        this.dir = runDir;
        try {
            Files.createDirectories(runDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create run directory " + runDir, e);
        }
    }

    public Path completionsFile() {
        return dir.resolve(COMPLETIONS);
    }

    /** Appends the first {@code max} completions of a step, each with its prompt, reward, advantage and verdict
     * (and {@code weight_version}, the policy version that produced it, when a server fleet sampled it). */
    public void appendCompletions(int step, List<ScoredCompletion> completions, int max) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (ScoredCompletion s : completions.subList(0, Math.min(max, completions.size()))) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("step", step);
            m.put("prompt", s.prompt().prompt());
            m.put("completion", s.completion().text());
            m.put("reward", finite(s.reward()));
            m.put("advantage", finite(s.advantage()));
            m.put("finish_reason", s.completion().finishReason().wireName());
            m.put("tokens", s.completion().tokenIds().length);
            m.put("reason", s.verdict().reason());
            if (s.completion().weightVersion() >= 0) m.put("weight_version", s.completion().weightVersion());
            if (!s.verdict().details().isEmpty()) m.put("details", s.verdict().details());
            rows.add(m);
        }
        append(completionsFile(), rows);
    }

    /** Keeps only the lines whose {@code step} is at most {@code step} (for resuming). */
    public void truncateAfter(int step) {
        Path f = completionsFile();
        if (Files.exists(f)) {
            try {
                List<String> keep = new ArrayList<>();
                int lineNo = 0;
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    lineNo++;
                    if (line.isBlank()) continue;
                    Object s;
                    try {
                        s = JSON.readValue(line, Map.class).get("step");
                    } catch (IOException e) {
                        throw new IllegalArgumentException(f + ":" + lineNo + ": not a JSON object: " + e.getMessage());
                    }
                    if (!(s instanceof Number n)) {
                        throw new IllegalArgumentException(f + ":" + lineNo + ": no numeric 'step' field");
                    }
                    if (n.intValue() <= step) keep.add(line);
                }
                Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
                Files.write(tmp, keep, StandardCharsets.UTF_8);
                Files.move(tmp, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot truncate " + f, e);
            }
        }
    }

    private static Object finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static void append(Path f, List<Map<String, Object>> rows) {
        StringBuilder sb = new StringBuilder();
        try {
            for (Map<String, Object> r : rows) sb.append(JSON.writeValueAsString(r)).append('\n');
            Files.writeString(f, sb, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + f, e);
        }
    }
}

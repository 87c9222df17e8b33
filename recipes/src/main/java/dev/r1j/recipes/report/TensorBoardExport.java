package dev.r1j.recipes.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Turns a run's {@code metrics.jsonl} into TensorBoard event files, one TensorBoard run per stage
 * ({@code tensorboard/NN-stage/}), every numeric field a scalar against the stage's step, and the held-out
 * evaluations around a stage as {@code heldout/<figure>} at its first and last step (as on the plots). The directory
 * is rewritten whole each time, so a resumed run exports the same curves. View with
 * {@code tensorboard --logdir runs/NAME/tensorboard} (or {@code --logdir runs} for every run).
 *
 * <pre>{@code
 * TensorBoardExport.write(runDir);   // runDir/tensorboard/00-pretrain/events.out.tfevents...
 * }</pre>
 */
public final class TensorBoardExport {
    public static final String DIR = "tensorboard";
    private static final Set<String> NOT_SCALARS = Set.of("step", "stage", "stage_index");

    private TensorBoardExport() {}

    /** Writes the event files of {@code runDir}; returns them (none when nothing was logged). */
    public static List<Path> write(Path runDir) {
        Path metrics = runDir.resolve("metrics.jsonl");
        Path out = runDir.resolve(DIR);
        deleteRecursively(out);
        if (!Files.exists(metrics)) {
            return List.of();
        }
        // one writer a stage; wall time: the line's elapsed_s from a common origin when logged, else the step
        Map<String, List<ObjectNode>> byStage = new LinkedHashMap<>();
        for (ObjectNode line : MetricsLog.read(metrics)) {
            if (!line.path("step").isNumber()) continue;
            String dir = String.format("%02d-%s", line.path("stage_index").asInt(0), line.path("stage").asText("run"));
            byStage.computeIfAbsent(dir, k -> new ArrayList<>()).add(line);
        }
        List<EvalPoint> evals = EvalPoint.read(runDir);
        double origin = System.currentTimeMillis() / 1000.0;
        List<Path> files = new ArrayList<>();
        for (Map.Entry<String, List<ObjectNode>> e : byStage.entrySet()) {
            int index = e.getValue().get(0).path("stage_index").asInt(0);
            long last = 0;
            try (TensorBoardWriter w = TensorBoardWriter.create(out.resolve(e.getKey()))) {
                for (ObjectNode line : e.getValue()) {
                    long step = line.get("step").asLong();
                    last = Math.max(last, step);
                    double wall = origin + (line.path("elapsed_s").isNumber() ? line.get("elapsed_s").asDouble() : step);
                    for (Iterator<Map.Entry<String, JsonNode>> it = line.fields(); it.hasNext(); ) {
                        Map.Entry<String, JsonNode> f = it.next();
                        if (!NOT_SCALARS.contains(f.getKey()) && f.getValue().isNumber()) {
                            w.scalar(f.getKey(), step, wall, f.getValue().asDouble());
                        }
                    }
                }
                long end = last;
                Plots.neighbour(evals, index - 1).ifPresent(ev -> ev.values().forEach((k, v) -> w.scalar("heldout/" + k, 0, origin, v)));
                Plots.neighbour(evals, index + 1).ifPresent(ev -> ev.values().forEach((k, v) -> w.scalar("heldout/" + k, end, origin, v)));
                files.add(w.file());
            }
        }
        return files;
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir + ": " + e.getMessage(), e);
        }
    }
}

package dev.r1j.recipes.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A held-out evaluation of a run, read from an eval stage's {@code stages/NN-id/eval.json}: where it sits in the
 * run ({@code stageIndex}), its label and figures. The plots put it on the training stage it follows or precedes.
 *
 * @param stageIndex the eval stage's position in the recipe
 * @param label the result's label ("base", "after grpo")
 * @param values accuracy, reward_mean, completion_len_mean (those present)
 * @param eval the whole {@code eval.json}
 */
public record EvalPoint(int stageIndex, String label, Map<String, Double> values, JsonNode eval) {
    private static final Pattern STAGE_DIR = Pattern.compile("(\\d+)-.*");
    private static final List<String> FIGURES = List.of("accuracy", "reward_mean", "completion_len_mean");

    /** Every {@code eval.json} under {@code runDir/stages}, in stage order; none when there are none. */
    public static List<EvalPoint> read(Path runDir) {
        Path stages = runDir.resolve("stages");
        if (!Files.isDirectory(stages)) {
            return List.of();
        }
        List<EvalPoint> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(stages)) {
            for (Path d : dirs.sorted(Comparator.comparing(Path::toString)).toList()) {
                Matcher m = STAGE_DIR.matcher(d.getFileName().toString());
                Path file = d.resolve("eval.json");
                if (!m.matches() || !Files.isRegularFile(file)) {
                    continue;
                }
                JsonNode eval = new ObjectMapper().readTree(file.toFile());
                Map<String, Double> values = new LinkedHashMap<>();
                for (String f : FIGURES) {
                    if (eval.path(f).isNumber()) {
                        values.put(f, eval.get(f).asDouble());
                    }
                }
                out.add(new EvalPoint(Integer.parseInt(m.group(1)), eval.path("label").asText(d.getFileName().toString()),
                        values, eval));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the evaluations under " + stages + ": " + e.getMessage(), e);
        }
        return out;
    }
}

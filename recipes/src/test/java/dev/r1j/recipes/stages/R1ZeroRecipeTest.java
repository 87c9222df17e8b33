package dev.r1j.recipes.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.r1j.core.Djl;
import dev.r1j.core.io.Checkpoint;
import dev.r1j.core.io.LoadedModel;
import dev.r1j.core.io.TrainingCheckpoint;
import dev.r1j.core.data.EpochCursor;
import dev.r1j.recipes.report.MetricsLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bundled r1-zero recipe end to end through the command line, shrunk with {@code --set}. */
class R1ZeroRecipeTest {
    static final List<String> STANDARD_FIELDS = List.of("step", "stage", "reward_mean", "reward_std", "accuracy", "loss",
            "kl", "clip_frac", "entropy", "completion_len_mean", "lr", "grad_norm", "tokens_per_s", "elapsed_s",
            "time_generation_s", "time_reward_s", "time_logprob_s", "time_update_s");

    @Test
    void runsTheBundledRecipeAndLeavesAFullRunDirectory(@TempDir Path dir) throws Exception {
        TinyR1Zero t = new TinyR1Zero(dir);
        assertEquals(0, t.run(t.args("r1-zero.yaml")), t.err.toString());
        Path run = t.runDir();
        String out = t.out.toString();

        // data generated into the run, base model built where model.init points
        for (String f : List.of("arith-train.jsonl", "arith-test.jsonl", "arith-pretrain.jsonl")) {
            assertTrue(Files.isRegularFile(run.resolve("data").resolve(f)), f);
        }
        assertEquals(12, Files.readAllLines(run.resolve("data/arith-test.jsonl")).size());
        assertTrue(Files.isRegularFile(dir.resolve("base-model/config.json")));

        // metrics: pretrain losses, then one line per GRPO step with the standard fields
        List<ObjectNode> metrics = MetricsLog.read(run.resolve("metrics.jsonl"));
        assertEquals(6, metrics.stream().filter(m -> m.get("stage").asText().equals("pretrain")).count());
        List<ObjectNode> grpo = metrics.stream().filter(m -> m.get("stage").asText().equals("grpo")).toList();
        assertEquals(List.of(1, 2), grpo.stream().map(m -> m.get("step").asInt()).toList());
        for (ObjectNode m : grpo) {
            for (String f : STANDARD_FIELDS) assertTrue(m.has(f), "metrics line lacks " + f + ": " + m);
            assertTrue(m.get("loss").isNumber() && Double.isFinite(m.get("loss").asDouble()), m.toString());
            double len = m.get("completion_len_mean").asDouble();
            assertTrue(len >= 1 && len <= 24, "completion length within max_new_tokens: " + m);
        }

        // completions (2 steps x 4 completions), checkpoints with everything a resume needs, the final model
        Path stage = run.resolve("stages/02-grpo");
        List<String> completions = Files.readAllLines(stage.resolve("completions.jsonl"));
        assertEquals(8, completions.size());
        JsonNode c0 = new ObjectMapper().readTree(completions.get(0));
        for (String f : List.of("step", "prompt", "completion", "reward", "advantage", "finish_reason")) {
            assertTrue(c0.has(f), f + " missing in " + c0);
        }
        for (String ck : List.of("step-000001", "step-000002")) {
            Path p = stage.resolve("checkpoints").resolve(ck);
            assertTrue(Files.isRegularFile(p.resolve("model.safetensors")), ck);
            assertTrue(Files.isRegularFile(p.resolve("optimizer.safetensors")), ck);
            assertTrue(Files.isRegularFile(p.resolve("trainer_state.json")), ck);
        }
        assertEquals(2, TrainingCheckpoint.readState(stage.resolve("checkpoints/step-000002")).step());
        assertEquals(new EpochCursor.Position(0, 4),
                TrainingCheckpoint.readState(stage.resolve("checkpoints/step-000002")).data());
        try (NDManager m = Djl.newManager(); LoadedModel lm = Checkpoint.load(stage.resolve("final"), m)) {
            assertEquals(16, lm.model().config().hiddenSize());
        }

        // before/after table, results.json, eval.json, plots
        JsonNode results = new ObjectMapper().readTree(run.resolve("results.json").toFile());
        for (String label : List.of("base", "after grpo")) {
            JsonNode r = results.has("results") ? results.get("results").get(label) : results.get(label);
            assertTrue(r != null, "results.json lacks " + label + ": " + results);
            for (String k : List.of("accuracy", "reward_mean", "completion_len_mean", "truncated_frac")) {
                assertTrue(r.get(k).isNumber(), label + " " + k);
            }
        }
        String header = out.lines().filter(l -> l.startsWith("metric")).findFirst().orElse("");
        assertTrue(header.contains("base") && header.contains("after grpo") && header.contains("change"), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("accuracy ")), out);
        JsonNode eval = new ObjectMapper().readTree(run.resolve("stages/01-eval/eval.json").toFile());
        assertEquals(12, eval.get("problems").asInt());
        assertEquals(12, eval.get("completions").size());
        try (Stream<Path> s = Files.list(run.resolve("plots"))) {
            List<String> pngs = s.map(p -> p.getFileName().toString()).toList();
            for (String p : List.of("reward_mean.png", "accuracy.png", "completion_len_mean.png", "kl.png")) {
                assertTrue(pngs.contains(p), p + " not in " + pngs);
            }
        }
        assertFalse(out.contains("warning"), out);
    }
}

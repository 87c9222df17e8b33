package dev.r1j.recipes.stages.r1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.r1j.core.Djl;
import dev.r1j.core.io.Checkpoint;
import dev.r1j.core.io.LoadedModel;
import dev.r1j.core.io.TrainingCheckpoint;
import dev.r1j.recipes.report.MetricsLog;
import dev.r1j.recipes.report.Progress;
import dev.r1j.recipes.report.ProgressFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code sft} stage end to end on a tiny model: outputs, metrics, checkpoint, and resume after a crash. */
class SftStageTest {
    static final String SFT = """
              - sft:
                  dataset: ${run_dir}/data/arith-sft.jsonl
                  eval_fraction: 0.25
                  eval_every: 2
                  training: {max_steps: 4, batch_size: 2, max_length: 96, learning_rate: 0.01, save_every: 2}
                  num_threads: 1
              - eval:
                  dataset: ${run_dir}/data/arith-test.jsonl
                  max_new_tokens: 8
                  label: after sft
            """;
    static final Set<String> TIMING = Set.of("elapsed_s", "tokens_per_s");

    @Test
    void trainsLogsCheckpointsAndHandsItsModelOn(@TempDir Path dir) throws Exception {
        TinyRecipe t = new TinyRecipe(dir);
        assertEquals(0, t.run("run", t.write(SFT).toString()), t.err.toString());
        List<ObjectNode> sft = lines(t.runDir(), "sft");
        List<ObjectNode> steps = sft.stream().filter(n -> n.has("loss")).toList();
        assertEquals(List.of(1, 2, 3, 4), steps.stream().map(n -> n.get("step").asInt()).toList());
        for (ObjectNode n : steps) {
            for (String f : List.of("loss", "lr", "grad_norm", "tokens", "tokens_per_s", "epoch")) {
                assertTrue(n.has(f), f + " missing in " + n);
            }
            assertTrue(Double.isFinite(n.get("loss").asDouble()) && n.get("loss").asDouble() > 0, n.toString());
        }
        // eval_every 2: held-out loss after steps 2 and 4
        List<ObjectNode> evals = sft.stream().filter(n -> n.has("eval_loss")).toList();
        assertEquals(List.of(2, 4), evals.stream().map(n -> n.get("step").asInt()).toList());

        Path stage = t.runDir().resolve("stages/01-sft");
        assertTrue(TrainingCheckpoint.exists(stage.resolve("checkpoint")));
        assertEquals(4, TrainingCheckpoint.readState(stage.resolve("checkpoint")).step());
        try (NDManager m = Djl.newManager(); LoadedModel lm = Checkpoint.load(stage.resolve("final"), m)) {
            assertEquals(16, lm.model().config().hiddenSize());
        }
        // the next stage evaluated the fine-tuned model
        JsonNode eval = new ObjectMapper().readTree(t.runDir().resolve("stages/02-eval/eval.json").toFile());
        assertEquals(stage.resolve("final").toString(), eval.get("model").asText());
    }

    @Test
    void resumeAfterACrashEvenInsideACheckpointWriteLogsTheSameMetricsAsAnUninterruptedRun(@TempDir Path dir) throws Exception {
        TinyRecipe straight = new TinyRecipe(dir.resolve("straight"));
        assertEquals(0, straight.run("run", straight.write(SFT).toString()), straight.err.toString());

        // the progress bar of the sft stage throws at its third step: after step 3 is logged, before its checkpoint
        TinyRecipe broken = new TinyRecipe(dir.resolve("broken"));
        String recipe = broken.write(SFT).toString();
        assertEquals(1, broken.run(crashAtStep("sft", 3), List.of("run", recipe)));
        Path ckpt = broken.runDir().resolve("stages/01-sft/checkpoint");
        assertEquals(2, TrainingCheckpoint.readState(ckpt).step());
        assertFalse(Files.exists(broken.runDir().resolve("stages/01-sft/final")));
        // and as if the crash had come inside the next checkpoint write, between its two renames (issue 18): the
        // step-2 checkpoint is aside in .checkpoint.old-TAG, and a stale temporary of another write lies beside it
        Files.move(ckpt, ckpt.resolveSibling(".checkpoint.old-0a1b2c3d"));
        Files.createDirectories(ckpt.resolveSibling(".checkpoint.tmp-deadbeef")).resolve("model.safetensors").toFile()
                .createNewFile();

        assertEquals(0, broken.run("run", recipe, "--resume"), broken.err.toString());
        assertTrue(broken.out.toString().contains("restored " + ckpt + " from .checkpoint.old-0a1b2c3d"), broken.out.toString());
        assertTrue(broken.out.toString().contains("from " + ckpt + " (step 2)"), broken.out.toString());
        try (var left = Files.list(ckpt.getParent())) {
            assertEquals(List.of(), left.map(p -> p.getFileName().toString()).filter(f -> f.startsWith(".")).toList());
        }
        List<ObjectNode> a = lines(straight.runDir(), "sft"), b = lines(broken.runDir(), "sft");
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) assertEquals(strip(a.get(i)), strip(b.get(i)), "line " + i);
        // the run moved, so equality is not an accident of nothing happening
        assertNotEquals(a.get(0).get("loss"), a.get(a.size() - 2).get("loss"));
    }

    /** A progress factory whose bar for {@code task} throws on its {@code n}-th step. */
    static ProgressFactory crashAtStep(String task, int n) {
        return (name, total, initial) -> {
            AtomicInteger steps = new AtomicInteger();
            return new Progress() {
                @Override
                public void step() {
                    if (name.equals(task) && steps.incrementAndGet() == n) {
                        throw new IllegalStateException("simulated crash at step " + n);
                    }
                }

                @Override
                public void stepTo(long done) {}

                @Override
                public void extra(String text) {}

                @Override
                public void close() {}
            };
        };
    }

    static List<ObjectNode> lines(Path run, String stage) {
        return MetricsLog.read(run.resolve("metrics.jsonl")).stream()
                .filter(n -> n.get("stage").asText().equals(stage)).toList();
    }

    static ObjectNode strip(ObjectNode n) {
        ObjectNode c = n.deepCopy();
        c.remove(TIMING);
        return c;
    }
}

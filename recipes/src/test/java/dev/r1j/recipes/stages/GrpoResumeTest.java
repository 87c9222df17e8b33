package dev.r1j.recipes.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.r1j.core.Djl;
import dev.r1j.core.io.Checkpoint;
import dev.r1j.core.io.LoadedModel;
import dev.r1j.recipes.report.MetricsLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A GRPO run stopped by a real non-finite loss at step 3 (rewards near the float32 maximum from the test verifier
 * {@code digits_then_huge}, unscaled, overflow the loss) keeps its step-2 checkpoint loadable, and {@code --resume} from it ends with the same
 * metrics as a run that was never interrupted (timing fields aside).
 */
class GrpoResumeTest {
    static final Set<String> TIMING = Set.of("elapsed_s", "tokens_per_s", "time_generation_s", "time_reward_s",
            "time_logprob_s", "time_update_s");

    static String[] grpo(int fromCall) {
        return new String[] {
            "--set", "stages[2].grpo.steps=4",
            "--set", "stages[2].grpo.checkpoint_every=2",
            "--set", "stages[2].grpo.learning_rate=0.01",
            "--set", "stages[2].grpo.scale_rewards=none",
            "--set", "stages[2].grpo.verifiers=[{name: digits_then_huge, options: {from_call: " + fromCall + "}}]"};
    }

    @Test
    void nonFiniteLossStopsWithTheLastCheckpointIntactAndResumeMatchesAnUninterruptedRun(@TempDir Path dir)
            throws Exception {
        TinyR1Zero straight = new TinyR1Zero(dir.resolve("straight"));
        assertEquals(0, straight.run(straight.args("r1-zero.yaml", grpo(0))), straight.err.toString());
        Path base = straight.dir.resolve("base-model");

        // 2 prompts x 2 completions = 4 rewards a step: calls 8.. (step 3) return huge rewards
        TinyR1Zero broken = new TinyR1Zero(dir.resolve("broken"));
        List<String> args = broken.args("r1-zero.yaml", grpo(8));
        args.addAll(List.of("--set", "model.init=" + base));
        assertEquals(1, broken.run(args));
        String err = broken.err.toString();
        assertTrue(err.matches("(?s).*'grpo' failed: GRPO step 3: the (loss|gradient norm) is (NaN|-?Infinity).*"), err);
        assertTrue(err.contains("stopping before the optimizer step"), err);
        Path ckpts = broken.runDir().resolve("stages/02-grpo/checkpoints");
        assertTrue(err.contains("the last good checkpoint is " + ckpts.resolve("step-000002")), err);
        assertTrue(err.contains("--resume"), err);
        assertFalse(Files.exists(ckpts.resolve("step-000003")));
        assertFalse(Files.exists(broken.runDir().resolve("stages/02-grpo/final")));
        try (NDManager m = Djl.newManager();
             LoadedModel lm = Checkpoint.load(ckpts.resolve("step-000002"), m)) {
            assertEquals(16, lm.model().config().hiddenSize());
        }
        assertEquals(List.of(1, 2), steps(grpoLines(broken.runDir())));

        List<String> resume = broken.args("r1-zero.yaml", grpo(0));
        resume.addAll(List.of("--set", "model.init=" + base, "--resume"));
        assertEquals(0, broken.run(resume), broken.err.toString());
        assertTrue(broken.out.toString().contains("from " + ckpts.resolve("step-000002") + " (step 2)"),
                broken.out.toString());

        List<ObjectNode> a = grpoLines(straight.runDir());
        List<ObjectNode> b = grpoLines(broken.runDir());
        assertEquals(List.of(1, 2, 3, 4), steps(a));
        assertEquals(steps(a), steps(b));
        for (int i = 0; i < a.size(); i++) assertEquals(withoutTiming(a.get(i)), withoutTiming(b.get(i)), "step " + (i + 1));
        // the run moved: a resume that restored nothing would still match only by accident
        assertNotEquals(a.get(0).get("loss"), a.get(3).get("loss"));
        assertEquals(Files.readString(straight.runDir().resolve("results.json")),
                Files.readString(broken.runDir().resolve("results.json")));
    }

    @Test
    void aStopRequestMidStepFinishesTheStepCheckpointsItAndExits143AndResumeMatchesAnUninterruptedRun(@TempDir Path dir)
            throws Exception {
        TinyR1Zero straight = new TinyR1Zero(dir.resolve("straight"));
        assertEquals(0, straight.run(straight.args("r1-zero.yaml", grpo(0))), straight.err.toString());
        Path base = straight.dir.resolve("base-model");

        // checkpoints every 4 steps, so only the stop itself can write step 2's; the request comes at the 7th reward
        // call, in the middle of step 2 (4 rewards a step)
        TinyR1Zero stopped = new TinyR1Zero(dir.resolve("stopped"));
        List<String> args = stopped.args("r1-zero.yaml", grpo(0));
        args.addAll(List.of("--set", "model.init=" + base, "--set", "stages[2].grpo.checkpoint_every=4",
                "--set", "stages[2].grpo.verifiers=[{name: digits_then_huge, options: {stop_at_call: 7}}]"));
        assertEquals(143, stopped.run(args), stopped.err.toString());
        String err = stopped.err.toString();
        assertTrue(err.contains("stage 3/4 'grpo' test stop in the middle of a step: stopped after step 2, checkpoint "
                + "written; continue with --resume: recipe run r1-zero.yaml --set "), err);
        assertTrue(err.strip().endsWith(" --resume"), err);
        Path ckpts = stopped.runDir().resolve("stages/02-grpo/checkpoints");
        assertTrue(Files.isDirectory(ckpts.resolve("step-000002")), "the stop's checkpoint");
        assertEquals(List.of(1, 2), steps(grpoLines(stopped.runDir())));

        List<String> resume = stopped.args("r1-zero.yaml", grpo(0));
        resume.addAll(List.of("--set", "model.init=" + base, "--set", "stages[2].grpo.checkpoint_every=4", "--resume"));
        assertEquals(0, stopped.run(resume), stopped.err.toString());
        List<ObjectNode> a = grpoLines(straight.runDir());
        List<ObjectNode> b = grpoLines(stopped.runDir());
        assertEquals(steps(a), steps(b));
        for (int i = 0; i < a.size(); i++) assertEquals(withoutTiming(a.get(i)), withoutTiming(b.get(i)), "step " + (i + 1));
        assertEquals(Files.readString(straight.runDir().resolve("results.json")),
                Files.readString(stopped.runDir().resolve("results.json")));
    }

    static List<ObjectNode> grpoLines(Path run) {
        List<ObjectNode> out = new ArrayList<>();
        for (ObjectNode n : MetricsLog.read(run.resolve("metrics.jsonl"))) {
            if (n.get("stage").asText().equals("grpo")) out.add(n);
        }
        return out;
    }

    static List<Integer> steps(List<ObjectNode> lines) {
        return lines.stream().map(n -> n.get("step").asInt()).toList();
    }

    static ObjectNode withoutTiming(ObjectNode n) {
        ObjectNode c = n.deepCopy();
        c.remove(TIMING);
        return c;
    }
}

package dev.r1j.recipes.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real SIGTERM to a real {@code recipe run} process in its GRPO stage: the process finishes the step it is in,
 * writes that step's checkpoint, says how to resume and exits 143 (before: 143 mid-step, nothing printed, the steps
 * since the last periodic checkpoint lost). The in-process test beside it ({@code GrpoResumeTest}) proves that the
 * resume from such a checkpoint matches an uninterrupted run.
 */
class SigtermTest {
    @Test
    void sigtermDuringGrpoCheckpointsTheLastStepAndSaysHowToResume(@TempDir Path dir) throws Exception {
        TinyR1Zero tiny = new TinyR1Zero(dir);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Dai.djl.offline=true", "-Dr1j.fsync=false", "-cp", classPath(), "dev.r1j.recipes.cli.Main"));
        cmd.addAll(tiny.args("r1-zero.yaml", "--set", "stages[2].grpo.steps=100000",
                "--set", "stages[2].grpo.checkpoint_every=100000", "--set", "stages[2].grpo.log_completions_every=0"));
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (grpoSteps(tiny.runDir()).size() < 2) {
                assertTrue(p.isAlive(), () -> "the run ended early: " + read(err));
                assertTrue(System.nanoTime() < deadline, () -> "no GRPO step within 180 s: " + read(out) + read(err));
                Thread.sleep(200);
            }
            p.destroy(); // SIGTERM on Linux
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the process did not stop within 120 s of SIGTERM");
        } finally {
            p.destroyForcibly();
        }
        String log = read(err);
        assertEquals(143, p.exitValue(), log);
        assertTrue(log.contains("stop requested: finishing the current step, then writing a checkpoint"), log);
        assertTrue(log.matches("(?s).*'grpo' stopped by a signal \\(SIGTERM or Ctrl-C\\): stopped after step \\d+, "
                + "checkpoint written; continue with --resume: recipe run r1-zero.yaml .* --resume\\s*"), log);
        List<Integer> steps = grpoSteps(tiny.runDir());
        int last = steps.get(steps.size() - 1);
        assertTrue(log.contains("stopped after step " + last + ","), "the message names the last logged step: " + log);
        Path ckpts = tiny.runDir().resolve("stages/02-grpo/checkpoints");
        try (var list = Files.list(ckpts)) {
            assertEquals(List.of(String.format("step-%06d", last)),
                    list.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("step-")).toList(),
                    "exactly the checkpoint of the step it stopped after, no temporaries");
        }
    }

    private static List<Integer> grpoSteps(Path runDir) {
        Path metrics = runDir.resolve("metrics.jsonl");
        if (!Files.isRegularFile(metrics)) return List.of();
        try {
            return GrpoResumeTest.steps(GrpoResumeTest.grpoLines(runDir));
        } catch (RuntimeException halfWrittenLine) {
            return List.of(); // read while the run appends: look again
        }
    }

    /** The test class path (surefire's, when it hides it behind a manifest-only jar). */
    private static String classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path").replace(':', File.pathSeparatorChar);
    }

    private static String read(Path f) {
        try {
            return Files.isRegularFile(f) ? Files.readString(f) : "";
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }
}

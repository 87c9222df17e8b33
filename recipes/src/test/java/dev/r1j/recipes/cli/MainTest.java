package dev.r1j.recipes.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1j.recipes.ToyStage;
import dev.r1j.recipes.report.ProgressFactory;
import dev.r1j.recipes.stage.StageRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    int run(String... args) {
        Main main = new Main(() -> StageRegistry.of(new ToyStage.Provider()), ProgressFactory.none());
        return Main.commandLine(main, new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    }

    Path recipe(Path dir, String body) throws Exception {
        Path f = dir.resolve("t.yaml");
        Files.writeString(f, "run_dir: " + dir.resolve("run") + "\n" + body);
        return f;
    }

    @Test
    void runsARecipeWithOverrides(@TempDir Path dir) throws Exception {
        Path f = recipe(dir, "stages:\n  - toy: {dataset: d.jsonl, steps: 5}\n");
        assertEquals(0, run("run", f.toString(), "--set", "stages[0].toy.steps=2", "--set", "seed=3"), err.toString());
        assertEquals(2, Files.readAllLines(dir.resolve("run/metrics.jsonl")).size());
        assertTrue(out.toString().contains("[1/1] toy: a counting stage for tests"), out.toString());
        assertEquals("", err.toString());
        // Again without --resume: refused, one line, exit 1; with --resume: finished stages are skipped.
        assertEquals(1, run("run", f.toString()));
        assertTrue(err.toString().startsWith("recipe run: run directory "), err.toString());
        assertEquals(0, run("run", f.toString(), "--set", "stages[0].toy.steps=2", "--set", "seed=3", "--resume"));
        assertTrue(out.toString().contains("finished earlier, skipped"));
        assertEquals(2, run("run", f.toString(), "--resume", "--overwrite"));
    }

    @Test
    void recipeErrorsAreOneLineWithoutStackTrace(@TempDir Path dir) throws Exception {
        Path f = recipe(dir, "stages:\n  - toy:\n      dataset: d.jsonl\n      stpes: 5\n");
        assertEquals(1, run("run", f.toString()));
        assertEquals("recipe run: t.yaml line 5: stages[0].toy: unknown key 'stpes' (did you mean 'steps'?); "
                + "valid keys: dataset, steps, lr, loss_type, clip, verifiers, fail_at\n", err.toString());
        err.getBuffer().setLength(0);
        Path missing = dir.resolve("missing.yaml");
        assertEquals(1, run("run", missing.toString()));
        assertEquals("recipe run: recipe file not found: " + missing + "\n", err.toString());
        err.getBuffer().setLength(0);
        assertEquals(1, run("run", missing.toString(), "--verbose"));
        assertTrue(err.toString().contains("\tat dev.r1j.recipes.RecipeSource.find"), "--verbose adds the stack trace: " + err);
    }

    @Test
    void failedStageIsReportedByName(@TempDir Path dir) throws Exception {
        Path f = recipe(dir, "stages:\n  - toy: {dataset: d.jsonl, fail_at: 2}\n");
        assertEquals(1, run("run", f.toString()));
        assertEquals("recipe run: stage 1/1 'toy' failed: injected failure at step 2 (continue with --resume)\n", err.toString());
    }

    /** A run that failed before any stage wrote anything is started again, not refused with advice to resume. */
    @Test
    void aRunThatFailedAtItsStartCanSimplyBeRetried(@TempDir Path dir) throws Exception {
        Path f = recipe(dir, "stages:\n  - toy: {dataset: d.jsonl, fail_at: 1}\n");
        assertEquals(1, run("run", f.toString()));
        assertTrue(Files.isDirectory(dir.resolve("run")), "the failed run's directory is there");
        err.getBuffer().setLength(0);
        assertEquals(0, run("run", f.toString(), "--set", "stages[0].toy.fail_at=0"), err.toString());
        assertTrue(out.toString().contains("holds a run that stopped before any stage wrote anything; starting it again"),
                out.toString());
        assertEquals(3, Files.readAllLines(dir.resolve("run/metrics.jsonl")).size());

        // one that failed after writing something is still refused: resuming it is the right advice
        Files.createDirectories(dir.resolve("late"));
        Path g = recipe(dir.resolve("late"), "stages:\n  - toy: {dataset: d.jsonl, fail_at: 2}\n");
        assertEquals(1, run("run", g.toString()));
        err.getBuffer().setLength(0);
        assertEquals(1, run("run", g.toString(), "--set", "stages[0].toy.fail_at=0"));
        assertTrue(err.toString().contains("already holds a run; continue it with --resume"), err.toString());
    }

    @Test
    void dryRunPrintsTheResolvedRecipe(@TempDir Path dir) throws Exception {
        Path f = recipe(dir, "stages:\n  - toy: {dataset: d.jsonl}\n");
        assertEquals(0, run("run", f.toString(), "--dry-run", "--set", "stages[0].toy.lr=0.5"));
        JsonNode r = new ObjectMapper().readTree(out.toString());
        assertEquals(0.5, r.at("/stages/0/toy/lr").asDouble());
        assertEquals(3, r.at("/stages/0/toy/steps").asInt());
        assertFalse(Files.exists(dir.resolve("run")));
    }

    @Test
    void explainListsEveryOptionWithDefaultAndHelp() {
        assertEquals(0, run("explain", "toy"));
        List<String> lines = out.toString().lines().toList();
        assertEquals("toy: a counting stage for tests", lines.get(0));
        assertTrue(lines.get(2).matches("  key +default +type +help"), lines.get(2));
        String all = out.toString();
        for (String row : List.of(
                "  dataset +required +a path +JSONL dataset",
                "  steps +3 +an integer +optimizer steps",
                "  loss_type +grpo +one of grpo\\|dapo\\|dr_grpo +loss aggregation",
                "  clip +\\(defaults below\\) +an object +clip range",
                "  clip\\.high +0\\.28 +a number +upper clip ε \\(DAPO clip-higher\\)",
                "  verifiers +\\[\\{\"name\":\"math\"\\}\\] +a list of object +verifiers and weights",
                "  verifiers\\[\\]\\.weight +1\\.0 +a number +weight in the sum")) {
            assertTrue(all.lines().anyMatch(l -> l.matches(row)), row + " in\n" + all);
        }
        out.getBuffer().setLength(0);
        assertEquals(0, run("explain"));
        assertTrue(out.toString().contains("  toy  a counting stage for tests"), out.toString());
        assertTrue(out.toString().contains("  run_dir"), out.toString());
        assertEquals(1, run("explain", "tyo"));
        assertEquals("recipe explain: unknown stage 'tyo' (did you mean 'toy'?); known stages: toy\n", err.toString());
    }

    /** Help works without the required options, and no usage text makes picocli warn (an unescaped '%'). */
    @Test
    void everyCommandPrintsHelpWithoutItsRequiredOptionsOrWarnings() {
        java.io.PrintStream stderr = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true));
        try {
            assertEquals(0, run("--help"));
            for (Class<?> c : Main.COMMANDS) {
                String name = c.getAnnotation(picocli.CommandLine.Command.class).name();
                for (String flag : List.of("--help", "-h")) {
                    out.getBuffer().setLength(0);
                    assertEquals(0, run(name, flag), name + " " + flag + ": " + err);
                    assertTrue(out.toString().startsWith("Usage: recipe " + name), name + " " + flag + ": " + out);
                }
            }
        } finally {
            System.setErr(stderr);
        }
        assertEquals("", err.toString());
        assertFalse(captured.toString().contains("WARN"), captured.toString());
    }

    @Test
    void usageErrorsExitWithTwo() {
        assertEquals(2, run("run"));
        assertTrue(err.toString().startsWith("recipe run: Missing required parameter: 'FILE'"), err.toString());
        assertEquals(2, run("frobnicate"));
        assertEquals(2, run());
    }

    @Test
    void verifyScoresAFileWithTheFormatVerifier(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("in.jsonl");
        Files.writeString(in, String.join("\n",
                "{\"prompt\": \"2+3?\", \"completion\": \"<think>2+3=5</think><answer>5</answer>\", \"answer\": \"5\"}",
                "{\"prompt\": \"2+2?\", \"completion\": \"it is 4\", \"answer\": \"4\"}",
                "{\"prompt\": \"broken\", \"completion\": ",
                "{\"completion\": \"<think>x</think> <answer>y</answer>\"}") + "\n");
        Path outFile = dir.resolve("out/scored.jsonl");
        int code = run("verify", "--verifier", "format", "--input", in.toString(), "--output", outFile.toString(), "--threads", "2");
        assertEquals(Main.EXIT_PARTIAL, code, "a malformed line makes the exit code 3");
        List<String> lines = Files.readAllLines(outFile);
        assertEquals(4, lines.size());
        ObjectMapper json = new ObjectMapper();
        assertEquals(1.0, json.readTree(lines.get(0)).get("reward").asDouble());
        assertEquals("5", json.readTree(lines.get(0)).get("answer").asText());
        assertEquals(0.0, json.readTree(lines.get(1)).get("reward").asDouble());
        assertFalse(json.readTree(lines.get(1)).get("reason").asText().isEmpty());
        JsonNode bad = json.readTree(lines.get(2));
        assertEquals(0.0, bad.get("reward").asDouble());
        assertEquals(3, bad.get("line").asInt());
        assertTrue(bad.get("reason").asText().startsWith("malformed line: not JSON"), bad.toString());
        assertEquals(1.0, json.readTree(lines.get(3)).get("reward").asDouble());
        String e = err.toString();
        assertTrue(e.startsWith(in + " line 3: malformed line: not JSON"), e);
        assertTrue(e.contains("verified 4 line(s) with 'format': mean reward 0.5000; 1 malformed (line 3)"), e);

        // Options reach the verifier: in boxed mode the think/answer completion scores 0.
        err.getBuffer().setLength(0);
        Files.writeString(in, "{\"completion\": \"so \\\\boxed{5}\"}\n{\"completion\": \"<think>a</think><answer>5</answer>\"}\n");
        assertEquals(0, run("verify", "--verifier", "format", "--option", "mode=boxed", "--input", in.toString(), "--output", outFile.toString()));
        lines = Files.readAllLines(outFile);
        assertEquals(1.0, json.readTree(lines.get(0)).get("reward").asDouble());
        assertEquals(0.0, json.readTree(lines.get(1)).get("reward").asDouble());

        err.getBuffer().setLength(0);
        assertEquals(1, run("verify", "--verifier", "fromat", "--input", in.toString(), "--output", outFile.toString()));
        assertTrue(err.toString().startsWith("recipe verify: unknown verifier 'fromat'"), err.toString());
        assertTrue(err.toString().contains("did you mean 'format'"), err.toString());
        err.getBuffer().setLength(0);
        assertEquals(1, run("verify", "--verifier", "format", "--input", dir.resolve("nope.jsonl").toString(), "--output", outFile.toString()));
        assertEquals("recipe verify: input file not found: " + dir.resolve("nope.jsonl") + "\n", err.toString());
    }

    @Test
    void verifyTakesTheMathExtractionPolicyAsAnOption(@TempDir Path dir) throws Exception {
        // a bare final number: no anchor, so the strict policy (the reward default) finds no answer; lenient takes it
        Path in = dir.resolve("in.jsonl");
        Files.writeString(in, "{\"completion\": \"So the total is 7,425,000\", \"answer\": \"$7425000$\"}\n");
        Path outFile = dir.resolve("scored.jsonl");
        ObjectMapper json = new ObjectMapper();
        assertEquals(0, run("verify", "--verifier", "math", "--input", in.toString(), "--output", outFile.toString()));
        JsonNode strict = json.readTree(Files.readAllLines(outFile).get(0));
        assertEquals(0.0, strict.get("reward").asDouble());
        assertEquals("no answer found", strict.get("reason").asText());
        assertEquals(0, run("verify", "--verifier", "math", "--option", "extraction=lenient", "--input", in.toString(),
                "--output", outFile.toString()));
        assertEquals(1.0, json.readTree(Files.readAllLines(outFile).get(0)).get("reward").asDouble());
        err.getBuffer().setLength(0);
        assertEquals(1, run("verify", "--verifier", "math", "--option", "extraction=loose", "--input", in.toString(),
                "--output", outFile.toString()));
        assertTrue(err.toString().contains("option 'extraction' is 'loose', expected one of strict, lenient"), err.toString());
    }
}

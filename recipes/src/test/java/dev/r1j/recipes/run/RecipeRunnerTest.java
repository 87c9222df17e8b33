package dev.r1j.recipes.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1j.recipes.Recipe;
import dev.r1j.recipes.RecipeLoader;
import dev.r1j.recipes.RecipeSource;
import dev.r1j.recipes.ToyStage;
import dev.r1j.recipes.config.RecipeException;
import dev.r1j.recipes.report.ProgressFactory;
import dev.r1j.recipes.report.TensorBoardEventsTest;
import dev.r1j.recipes.stage.StageRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecipeRunnerTest {
    final RecipeLoader loader = new RecipeLoader(StageRegistry.of(new ToyStage.Provider()));
    final StringWriter printed = new StringWriter();
    final RecipeRunner runner = new RecipeRunner(new PrintWriter(printed, true), ProgressFactory.none());

    Recipe recipe(Path runDir, String... overrides) {
        String yaml = "run_dir: " + runDir + "\nseed: 11\nstages:\n"
                + "  - toy: {dataset: a.jsonl, steps: 4}\n"
                + "  - toy: {dataset: b.jsonl, steps: 3}\n";
        return loader.parse(new RecipeSource("two.yaml", "two.yaml", yaml), List.of(overrides));
    }

    @Test
    void runsStagesInOrderHandingTheModelOn(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        RunSummary s = runner.run(recipe(run), RunMode.FRESH);
        // Each toy stage writes generation = input generation + 1: the second saw the first's output.
        assertEquals(run.resolve("stages/01-toy_2/model"), s.finalModel().orElseThrow());
        assertEquals("2", Files.readString(s.finalModel().get().resolve("generation")));
        List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"));
        assertEquals(7, lines.size());
        assertEquals("{\"step\":1,\"stage\":\"toy\",\"stage_index\":0,\"reward_mean\":0.25,\"loss\":1.0,\"kl\":0.01}", lines.get(0));
        assertEquals("{\"step\":3,\"stage\":\"toy_2\",\"stage_index\":1,\"reward_mean\":2.0,\"loss\":0.3333333333333333,\"kl\":0.03}",
                lines.get(6));
        assertEquals(0.1, s.results().get("toy").get("accuracy"));
        assertEquals(0.2, s.results().get("toy_2").get("accuracy"));
        String out = printed.toString();
        assertTrue(out.contains("[1/2] toy: a counting stage for tests"), out);
        assertTrue(out.contains(""
                + "metric    toy    toy_2  change\n"
                + "------------------------------\n"
                + "accuracy  0.100  0.200  +0.100\n"
                + "seed         11     11       0\n"), out);
        // one page per stage, each with the reward_mean, kl and loss that were logged
        assertEquals(List.of(run.resolve("plots/00-toy.png"), run.resolve("plots/01-toy_2.png")), s.plots());
        String html = Files.readString(run.resolve("report.html"));
        assertTrue(html.contains("<h2>Before and after</h2>") && html.contains("<img src=\"plots/00-toy.png\"")
                && html.contains("<h2>Stage 2: toy_2</h2>") && html.contains("Mean reward (reward per completion)"), html);
        assertTrue(out.contains("report: " + run.resolve("report.html")), out);
        assertFalse(Files.exists(run.resolve("tensorboard")), "TensorBoard files only when asked for");
    }

    @Test
    void writesResolvedConfigWithProvenance(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        runner.run(recipe(run, "stages[1].toy.steps=2", "stages[0].toy.clip.high=0.3"), RunMode.FRESH);
        JsonNode c = new ObjectMapper().readTree(run.resolve("config.resolved.json").toFile());
        assertEquals(2, c.at("/recipe/stages/1/toy/steps").asInt());
        assertEquals(4, c.at("/recipe/stages/0/toy/steps").asInt());
        assertEquals(0.3, c.at("/recipe/stages/0/toy/clip/high").asDouble());
        assertEquals(0.2, c.at("/recipe/stages/0/toy/clip/low").asDouble(), "defaults are filled in");
        assertEquals("math", c.at("/recipe/stages/0/toy/verifiers/0/name").asText());
        assertEquals("grpo", c.at("/recipe/stages/0/toy/loss_type").asText());
        assertEquals(run.toString(), c.at("/recipe/run_dir").asText());
        assertEquals(11, c.get("seed").asLong());
        assertEquals(11, c.at("/recipe/seed").asLong());
        assertEquals("[\"stages[1].toy.steps=2\",\"stages[0].toy.clip.high=0.3\"]", c.get("overrides").toString());
        assertEquals(System.getProperty("java.version"), c.get("java_version").asText());
        assertEquals("0.36.0", c.get("djl_version").asText());
        String head = gitHead();
        if (head == null) {
            assertTrue(c.get("git_commit").isNull());
        } else {
            assertEquals(head, c.get("git_commit").asText());
        }
    }

    @Test
    void resumeGivesTheSameMetricsAsAnUninterruptedRun(@TempDir Path dir) throws Exception {
        Path straight = dir.resolve("straight");
        runner.run(recipe(straight), RunMode.FRESH);

        Path broken = dir.resolve("broken");
        StageFailedException e = assertThrows(StageFailedException.class,
                () -> runner.run(recipe(broken, "stages[1].toy.fail_at=3"), RunMode.FRESH));
        assertEquals("stage 2/2 'toy_2' failed: injected failure at step 3 (continue with --resume)", e.getMessage());
        assertEquals(6, Files.readAllLines(broken.resolve("metrics.jsonl")).size());
        // Simulate a crash after a line was written but before the checkpoint moved: the resumed stage rewrites it.
        Files.writeString(broken.resolve("stages/01-toy_2/ckpt"), "1");

        printed.getBuffer().setLength(0);
        RunSummary s = runner.run(recipe(broken), RunMode.RESUME);
        assertTrue(printed.toString().contains("[1/2] toy: finished earlier, skipped"), printed.toString());
        // the crashed run was started with fail_at=3: the note names that one change, and only it
        assertTrue(printed.toString().contains("note: the recipe differs from the one this run started with "
                + "(stages[1].toy.fail_at: 3 -> 0); continuing with the new one"), printed.toString());
        assertEquals(Files.readAllLines(straight.resolve("metrics.jsonl")), Files.readAllLines(broken.resolve("metrics.jsonl")));
        assertEquals("2", Files.readString(s.finalModel().orElseThrow().resolve("generation")));
        assertEquals(s.results().keySet(), java.util.Set.of("toy", "toy_2"));
    }

    @Test
    void resumingTheSameRecipeNotesNothingAndKeepsCreatedAt(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        // a stage that fails leaves a run to resume; its seed (11) is a long node and reads back as an int node
        assertThrows(StageFailedException.class, () -> runner.run(recipe(run, "stages[1].toy.fail_at=2"),
                RunMode.FRESH));
        JsonNode first = new ObjectMapper().readTree(run.resolve("config.resolved.json").toFile());
        printed.getBuffer().setLength(0);
        assertThrows(StageFailedException.class, () -> runner.run(recipe(run, "stages[1].toy.fail_at=2"),
                RunMode.RESUME));
        assertFalse(printed.toString().contains("differs"), printed.toString());
        JsonNode second = new ObjectMapper().readTree(run.resolve("config.resolved.json").toFile());
        assertEquals(first.get("created_at"), second.get("created_at"));
        assertEquals(1, second.get("resumed_at").size());

        printed.getBuffer().setLength(0);
        runner.run(recipe(run, "stages[0].toy.lr=0.002"), RunMode.RESUME);
        assertTrue(printed.toString().contains("(stages[0].toy.lr: 0.001 -> 0.002; stages[1].toy.fail_at: 2 -> 0)"),
                printed.toString());
        JsonNode third = new ObjectMapper().readTree(run.resolve("config.resolved.json").toFile());
        assertEquals(first.get("created_at"), third.get("created_at"));
        assertEquals(2, third.get("resumed_at").size());
    }

    @Test
    void recipeDiffComparesNumbersByValueAndNamesEveryChange() throws Exception {
        ObjectMapper m = new ObjectMapper();
        JsonNode a = m.readTree("{\"seed\": 11, \"lr\": 1, \"stages\": [{\"sft\": {\"x\": \"a\"}}], \"gone\": true}");
        JsonNode b = m.createObjectNode().put("seed", 11L).put("lr", 1.0)
                .set("stages", m.readTree("[{\"sft\": {\"x\": \"b\"}}, {\"eval\": {}}]"));
        // 11 read back from JSON is an int node, 11L a long node; 1 and 1.0 are the same number
        assertEquals(List.of(), RecipeDiff.between(m.readTree("{\"seed\": 11, \"lr\": 1}"),
                m.createObjectNode().put("seed", 11L).put("lr", 1.0)));
        assertEquals(List.of("stages[0].sft.x: \"a\" -> \"b\"", "stages[1]: added ({\"eval\":{}})", "gone: removed (was true)"),
                RecipeDiff.between(a, b));
    }

    @Test
    void neverOverwritesSilently(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        runner.run(recipe(run), RunMode.FRESH);
        String m = assertThrows(RecipeException.class, () -> runner.run(recipe(run), RunMode.FRESH)).getMessage();
        assertEquals("run directory " + run + " already holds a run; continue it with --resume, start over with --overwrite, "
                + "or pick another with --set run_dir=...", m);
        Files.writeString(run.resolve("stale.txt"), "x");
        runner.run(recipe(run), RunMode.OVERWRITE);
        assertFalse(Files.exists(run.resolve("stale.txt")));
        assertEquals(7, Files.readAllLines(run.resolve("metrics.jsonl")).size());

        Path notARun = dir.resolve("home");
        Files.createDirectories(notARun);
        Files.writeString(notARun.resolve("precious.txt"), "keep me");
        assertThrows(RecipeException.class, () -> runner.run(recipe(notARun), RunMode.OVERWRITE));
        assertEquals("keep me", Files.readString(notARun.resolve("precious.txt")));
    }

    @Test
    void failedRunStillDrawsWhatWasLogged(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        assertThrows(StageFailedException.class, () -> runner.run(recipe(run, "stages[0].toy.fail_at=3"), RunMode.FRESH));
        assertTrue(Files.size(run.resolve("plots/00-toy.png")) > 1000);
        assertNull(RunState.read(run).finished(0, "toy").orElse(null));
    }

    @Test
    void tensorBoardEventFilesOnRequest(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        runner.withTensorBoard(true).run(recipe(run), RunMode.FRESH);
        // the version record, then reward_mean, loss and kl at each step: 4 steps of toy, 3 of toy_2
        for (var e : java.util.Map.of("00-toy", 1 + 4 * 3, "01-toy_2", 1 + 3 * 3).entrySet()) {
            try (var files = Files.list(run.resolve("tensorboard").resolve(e.getKey()))) {
                List<Path> events = files.toList();
                assertEquals(1, events.size(), e.getKey());
                assertTrue(events.get(0).getFileName().toString().startsWith("events.out.tfevents."), events.toString());
                assertEquals(e.getValue(), TensorBoardEventsTest.readRecords(events.get(0)).size(), e.getKey());
            }
        }
    }

    private static String gitHead() throws Exception {
        Path classes = Path.of(Provenance.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Process p = new ProcessBuilder("git", "-C", classes.toString(), "rev-parse", "HEAD").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        p.waitFor(5, TimeUnit.SECONDS);
        return p.exitValue() == 0 ? out : null;
    }
}

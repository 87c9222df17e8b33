package dev.r1j.recipes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.r1j.recipes.config.RecipeException;
import dev.r1j.recipes.stage.StageRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecipeLoaderTest {
    static final StageRegistry STAGES = StageRegistry.of(new ToyStage.Provider());
    final RecipeLoader loader = new RecipeLoader(STAGES);

    // Line numbers below are counted by hand from these texts (line 1 is "run_dir: ...").
    static final String RECIPE = """
            run_dir: runs/t
            seed: 7
            model: {init: runs/base}
            stages:
              - toy:
                  dataset: data/a.jsonl
                  steps: 5
                  clip: {low: 0.1}
              - toy:
                  dataset: data/b.jsonl
                  stpes: 4
            """;

    Recipe parse(String yaml, String... overrides) {
        return loader.parse(new RecipeSource("t.yaml", "t.yaml", yaml), List.of(overrides));
    }

    String error(String yaml, String... overrides) {
        return assertThrows(RecipeException.class, () -> parse(yaml, overrides)).getMessage();
    }

    @Test
    void unknownKeyNamesLineAndNearestKey() {
        String m = error(RECIPE);
        assertTrue(m.startsWith("t.yaml line 11: stages[1].toy: unknown key 'stpes' (did you mean 'steps'?)"), m);
        assertTrue(m.contains("valid keys: dataset, steps, lr, loss_type, clip, verifiers, fail_at"), m);
    }

    @Test
    void unknownTopLevelKeySuggestsStages() {
        String m = error("stagse: []\n");
        assertTrue(m.startsWith("t.yaml line 1: unknown key 'stagse' (did you mean 'stages'?)"), m);
    }

    @Test
    void typeErrorNamesKeyLineAndExpectedType() {
        String m = error("""
                stages:
                  - toy:
                      dataset: d.jsonl
                      steps: many
                """);
        assertEquals("t.yaml line 4: stages[0].toy.steps: expected an integer, got string 'many'", m);
        String w = error("""
                stages:
                  - toy:
                      dataset: d.jsonl
                      verifiers:
                        - {name: math}
                        - name: format
                          weight: heavy
                """);
        assertEquals("t.yaml line 7: stages[0].toy.verifiers[1].weight: expected a number, got string 'heavy'", w);
        String f = error("stages:\n  - toy: {dataset: d, steps: 2.5}\n");
        assertEquals("t.yaml line 2: stages[0].toy.steps: expected an integer, got 2.5", f);
    }

    @Test
    void enumValuesAreCheckedWithSuggestion() {
        String m = error("stages:\n  - toy: {dataset: d, loss_type: dapoo}\n");
        assertEquals("t.yaml line 2: stages[0].toy.loss_type: expected one of grpo|dapo|dr_grpo, got string 'dapoo'"
                + " (did you mean 'dapo'?)", m);
        Recipe r = parse("stages:\n  - toy: {dataset: d, loss_type: DR-GRPO}\n");
        assertEquals(ToyStage.LossType.DR_GRPO, ((ToyStage.Options) r.stages().get(0).options()).lossType());
        assertEquals("dr_grpo", r.resolved().at("/stages/0/toy/loss_type").asText());
    }

    @Test
    void defaultsMergeUnderFileAndOverridesOnTop() {
        Recipe r = parse(RECIPE.replace("stpes", "steps"), "stages[1].toy.steps=9", "stages[0].toy.clip.high=0.5");
        ToyStage.Options a = (ToyStage.Options) r.stages().get(0).options();
        ToyStage.Options b = (ToyStage.Options) r.stages().get(1).options();
        assertEquals(5, a.steps());
        assertEquals(new ToyStage.Clip(0.1, 0.5), a.clip()); // low from the file, high from --set
        assertEquals(9, b.steps());
        assertEquals(new ToyStage.Clip(0.2, 0.28), b.clip()); // all defaults
        assertEquals(List.of(new ToyStage.VerifierRef("math", 1.0)), b.verifiers());
        assertEquals(0.001, b.lr());
        assertEquals(7, r.seed());
        assertEquals(Path.of("runs/t"), r.runDir());
        assertEquals(Path.of("runs/base"), r.model().path().orElseThrow());
        assertEquals(9, r.resolved().at("/stages/1/toy/steps").asInt());
        assertEquals(0.28, r.resolved().at("/stages/1/toy/clip/high").asDouble());
        assertEquals("toy", r.stages().get(0).id());
        assertEquals("toy_2", r.stages().get(1).id());
    }

    @Test
    void overrideReplacesListElementAndAppends() {
        String yaml = RECIPE.replace("stpes", "steps");
        Recipe r = parse(yaml, "stages[1]={toy: {dataset: c.jsonl, steps: 2}}", "stages[2].toy.dataset=d.jsonl");
        assertEquals(3, r.stages().size());
        assertEquals(Path.of("c.jsonl"), ((ToyStage.Options) r.stages().get(1).options()).dataset());
        assertEquals(2, ((ToyStage.Options) r.stages().get(1).options()).steps());
        assertEquals(Path.of("d.jsonl"), ((ToyStage.Options) r.stages().get(2).options()).dataset());
        assertEquals(List.of("stages[1]={toy: {dataset: c.jsonl, steps: 2}}", "stages[2].toy.dataset=d.jsonl"), r.overrides());
    }

    @Test
    void overrideErrorsNameTheArgument() {
        String yaml = RECIPE.replace("stpes", "steps");
        assertEquals("--set stages[1].toy.steps=lots: stages[1].toy.steps: expected an integer, got string 'lots'",
                error(yaml, "stages[1].toy.steps=lots"));
        assertTrue(error(yaml, "stages[1].toy.stpes=3").startsWith(
                "--set stages[1].toy.stpes=3: stages[1].toy: unknown key 'stpes' (did you mean 'steps'?)"));
        assertEquals("--set stages[5].toy.steps=1: stages: has 2 element(s); index 5 is out of range (use 2 to append)",
                error(yaml, "stages[5].toy.steps=1"));
        assertEquals("--set seed: expected key=value, e.g. --set stages[0].grpo.steps=50", error(yaml, "seed"));
        assertEquals("--set seed.x=1: seed: is a number, not an object, so it has no key 'x'", error(yaml, "seed.x=1"));
    }

    @Test
    void missingRequiredKeyPointsAtTheStage() {
        String m = error("seed: 1\nstages:\n  - toy:\n      steps: 2\n");
        assertEquals("t.yaml line 3: stages[0].toy: missing required key 'dataset' (a path): JSONL dataset", m);
    }

    @Test
    void validationErrorPointsAtTheKeyItNames() {
        String m = error("stages:\n  - toy:\n      dataset: d\n\n      steps: 0\n");
        assertEquals("t.yaml line 5: stages[0].toy: steps must be at least 1, got 0", m);
        String c = error("stages:\n  - toy:\n      dataset: d\n      clip:\n        high: -1\n");
        // The message mentions "high", which is written on line 5: the error points there.
        assertEquals("t.yaml line 5: stages[0].toy.clip: clip bounds must be >= 0, got low=0.2 high=-1.0", c);
    }

    @Test
    void unknownStageSuggestsAndLists() {
        String m = error("stages:\n  - tyo: {}\n");
        assertEquals("t.yaml line 2: stages[0]: unknown stage 'tyo' (did you mean 'toy'?); known stages: toy", m);
        assertTrue(error("stages:\n  - {toy: {dataset: d}, eval: {}}\n").contains("a stage is a map with exactly one key"));
        assertTrue(error("seed: 1\n").startsWith("t.yaml: missing required key 'stages'"));
    }

    @Test
    void malformedYamlAndDuplicatesNameTheLine() {
        assertEquals("t.yaml line 3: duplicate key 'seed' (first at line 1)", error("seed: 1\nrun_dir: x\nseed: 2\nstages: []\n"));
        assertTrue(error("stages:\n  - toy: {dataset: d\n").startsWith("t.yaml line "), "invalid YAML has a line");
        assertEquals("t.yaml: the file is empty", error(""));
        assertEquals("t.yaml line 1: seed: expected an integer, got string 'x'", error("seed: x\nstages: [{toy: {dataset: d}}]\n"));
    }

    @Test
    void defaultRunDirIsNamedAfterTheFile() {
        Recipe r = loader.parse(new RecipeSource("r1-zero.yaml", "x/r1-zero.yaml", "stages: [{toy: {dataset: d}}]\n"), List.of());
        assertEquals(Path.of("runs", "r1-zero"), r.runDir());
        assertEquals("runs/r1-zero", r.resolved().get("run_dir").asText());
        assertTrue(r.model().path().isEmpty());
    }

    @Test
    void bundledRecipeFoundByBareName() {
        Recipe r = loader.load("toy-bundled", List.of());
        assertEquals("bundled:toy-bundled.yaml", r.source());
        assertEquals(2, ((ToyStage.Options) r.stages().get(0).options()).steps());
        assertEquals("toy-bundled", loader.load("toy-bundled.yaml", List.of()).name());
        assertTrue(BundledRecipes.names().contains("toy-bundled.yaml"), BundledRecipes.names().toString());
    }

    @Test
    void missingFileNamesThePath(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("nope.yaml");
        String m = assertThrows(RecipeException.class, () -> loader.load(missing.toString(), List.of())).getMessage();
        assertEquals("recipe file not found: " + missing.toAbsolutePath().normalize(), m);
        String bare = assertThrows(RecipeException.class, () -> loader.load("no-such-recipe.yaml", List.of())).getMessage();
        assertTrue(bare.startsWith("recipe file not found: "), bare);
        assertTrue(bare.contains("it is not a bundled recipe either (bundled: ") && bare.contains("toy-bundled.yaml"), bare);

        Path file = dir.resolve("mine.yaml");
        Files.writeString(file, "stages:\n  - toy: {dataset: d, stepz: 1}\n");
        String m2 = assertThrows(RecipeException.class, () -> loader.load(file.toString(), List.of())).getMessage();
        assertTrue(m2.startsWith("mine.yaml line 2: stages[0].toy: unknown key 'stepz' (did you mean 'steps'?)"), m2);
    }
}

package dev.r1j.recipes.stages.r1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.r1j.core.io.TrainingCheckpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code dpo} stage end to end on a tiny model, with sampled pairs and with a pairs file. */
class DpoStageTest {
    @Test
    void buildsPairsFromScoredSamplesTrainsAndCheckpoints(@TempDir Path dir) throws Exception {
        TinyRecipe t = new TinyRecipe(dir);
        String stages = """
                  - dpo:
                      dataset: ${run_dir}/data/arith-train.jsonl
                      verifiers: [digits_then_huge]
                      threshold: 0.25
                      samples_per_prompt: 6
                      max_pairs_per_prompt: 2
                      max_new_tokens: 6
                      temperature: 1.5
                      loss_type: dpo
                      training: {max_steps: 3, batch_size: 4, max_length: 64, learning_rate: 0.01, save_every: 1}
                      num_threads: 1
                """;
        assertEquals(0, t.run("run", t.write(stages).toString()), t.err.toString());
        Path stage = t.runDir().resolve("stages/01-dpo");
        ObjectMapper json = new ObjectMapper();
        List<String> pairs = Files.readAllLines(stage.resolve("pairs.jsonl"));
        assertTrue(pairs.size() > 0);
        for (String l : pairs) {
            JsonNode p = json.readTree(l);
            assertTrue(share(p.get("chosen").asText()) >= 0.25, l);
            assertTrue(share(p.get("rejected").asText()) < 0.25, l);
        }
        List<ObjectNode> lines = SftStageTest.lines(t.runDir(), "dpo");
        assertEquals(pairs.size(), lines.get(0).get("pairs_built").asInt());
        List<ObjectNode> steps = lines.subList(1, lines.size());
        assertEquals(List.of(1, 2, 3), steps.stream().map(n -> n.get("step").asInt()).toList());
        for (ObjectNode n : steps) {
            for (String f : List.of("loss", "reward_margin", "chosen_reward", "rejected_reward", "accuracy", "lr", "grad_norm")) {
                assertTrue(n.has(f) && Double.isFinite(n.get(f).asDouble()), f + " in " + n);
            }
        }
        // before any update the policy is the reference: DPO's loss is log 2 and the margin 0
        assertEquals(Math.log(2), steps.get(0).get("loss").asDouble(), 1e-4);
        assertEquals(0, steps.get(0).get("reward_margin").asDouble(), 1e-4);
        assertEquals(3, TrainingCheckpoint.readState(stage.resolve("checkpoint")).step());
        assertTrue(Files.isRegularFile(stage.resolve("final/config.json")));
    }

    @Test
    void trainsOnAPairsFileFromAnExplicitModel(@TempDir Path dir) throws Exception {
        Path pairs = dir.resolve("pairs.jsonl");
        Files.createDirectories(dir);
        Files.writeString(pairs, """
                {"prompt": "12+7=", "chosen": "<answer>19</answer>", "rejected": "<answer>18</answer>"}
                {"prompt": "30-4=", "chosen": "<answer>26</answer>", "rejected": "<answer>36</answer>"}
                """);
        TinyRecipe t = new TinyRecipe(dir);
        String stages = """
                  - dpo:
                      pairs: %s
                      model: %s
                      loss_type: ipo
                      training: {max_steps: 2, batch_size: 2, learning_rate: 0.01}
                """.formatted(pairs, dir.resolve("base-model"));
        assertEquals(0, t.run("run", t.write(stages).toString()), t.err.toString());
        List<ObjectNode> steps = SftStageTest.lines(t.runDir(), "dpo");
        assertEquals(List.of(1, 2), steps.stream().map(n -> n.get("step").asInt()).toList());
        // IPO at the reference: ((0 - 0) - 1/(2 beta))^2 with beta 0.1 = 25
        assertEquals(25.0, steps.get(0).get("loss").asDouble(), 1e-3);
        assertTrue(Files.isRegularFile(t.runDir().resolve("stages/01-dpo/final/config.json")));
    }

    @Test
    void optionsNeedExactlyOneSource(@TempDir Path dir) throws Exception {
        TinyRecipe t = new TinyRecipe(dir);
        assertEquals(1, t.run("run", t.write("  - dpo: {loss_type: dpo}\n").toString()));
        assertTrue(t.err.toString().contains("exactly one of pairs"), t.err.toString());
    }

    static double share(String s) {
        return s.isEmpty() ? 0 : s.chars().filter(Character::isDigit).count() / (double) s.length();
    }
}

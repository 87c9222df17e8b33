package dev.r1j.recipes.stages.r1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code rejection_sample} stage end to end on a tiny model. The reward is the test verifier
 * {@code digits_then_huge} (the share of digits in the completion), so that an untrained model's samples are
 * sometimes accepted and sometimes not, and the test can recompute each row's reward by hand.
 */
class RejectionStageTest {
    static final double THRESHOLD = 0.25;
    static final String STAGES = """
              - rejection_sample:
                  dataset: ${run_dir}/data/arith-train.jsonl
                  output: ${run_dir}/data/rs.jsonl
                  verifiers: [digits_then_huge]
                  threshold: 0.25
                  format: null
                  drop_truncated: false
                  samples_per_prompt: 6
                  max_per_prompt: 2
                  max_new_tokens: 6
                  temperature: 1.5
                  prompts_per_batch: 16
                  num_threads: 1
              - eval:
                  dataset: ${run_dir}/data/arith-test.jsonl
                  max_new_tokens: 4
                  label: after rs
            """;

    @Test
    void writesOnlyAcceptedDistinctCappedRowsAndPassesTheModelThrough(@TempDir Path dir) throws Exception {
        TinyRecipe t = new TinyRecipe(dir);
        assertEquals(0, t.run("run", t.write(STAGES).toString()), t.err.toString());
        ObjectMapper json = new ObjectMapper();
        Set<String> prompts = new HashSet<>();
        for (String l : Files.readAllLines(t.runDir().resolve("data/arith-train.jsonl"))) {
            prompts.add(json.readTree(l).get("prompt").asText());
        }
        List<String> rows = Files.readAllLines(t.runDir().resolve("data/rs.jsonl"));
        assertTrue(rows.size() > 0, "no row kept");
        Map<String, Integer> perPrompt = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (String l : rows) {
            JsonNode r = json.readTree(l);
            String prompt = r.get("prompt").asText(), completion = r.get("completion").asText();
            assertTrue(prompts.contains(prompt), prompt);
            double share = completion.isEmpty() ? 0
                    : completion.chars().filter(Character::isDigit).count() / (double) completion.length();
            assertEquals(share, r.get("reward").asDouble(), 1e-12, l);
            assertTrue(share >= THRESHOLD, "a rejected completion was kept: " + l);
            assertTrue(seen.add(prompt + "\u0000" + completion), "duplicate row: " + l);
            perPrompt.merge(prompt, 1, Integer::sum);
        }
        assertTrue(perPrompt.values().stream().allMatch(n -> n <= 2), perPrompt.toString());

        ObjectNode m = SftStageTest.lines(t.runDir(), "rejection_sample").get(0);
        assertEquals(40, m.get("prompts").asInt());
        assertEquals(240, m.get("samples").asInt());
        assertEquals(rows.size(), m.get("kept").asInt());
        assertEquals(perPrompt.size(), m.get("prompts_with_kept").asInt());
        int accepted = m.get("accepted").asInt();
        assertTrue(accepted >= rows.size() && accepted < 240, "the filter must have rejected some: " + m);
        assertEquals(accepted / 240.0, m.get("acceptance_rate").asDouble(), 1e-12);

        JsonNode results = json.readTree(t.runDir().resolve("results.json").toFile());
        JsonNode row = results.has("results") ? results.get("results").get("rejection_sample")
                : results.get("rejection_sample");
        assertEquals(accepted / 240.0, row.get("acceptance_rate").asDouble(), 1e-12, results.toString());
        // the model passes through unchanged: the eval after it scored the base model
        JsonNode eval = json.readTree(t.runDir().resolve("stages/02-eval/eval.json").toFile());
        assertEquals(dir.resolve("base-model").toString(), eval.get("model").asText());
    }
}

package dev.r1j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1j.sft.RejectionSampler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RejectionSamplingFromJavaTest {
    @Test
    void keepsOnlyAcceptedDistinctCappedCompletions(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("rs.jsonl");
        RejectionSampler.Report r = RejectionSamplingFromJava.run(out, 16, 2, 42L);
        System.out.printf("RejectionSamplingFromJava: accepted %d of %d, kept %d%n", r.accepted(), r.samples(), r.kept());
        assertEquals(32, r.prompts());
        assertEquals(32 * 16, r.samples());
        assertTrue(r.accepted() > 0 && r.accepted() < r.samples(), r.toString());
        List<String> lines = Files.readAllLines(out);
        assertEquals(r.kept(), lines.size());
        Map<String, Integer> perPrompt = new HashMap<>();
        Set<String> seen = new HashSet<>();
        ObjectMapper json = new ObjectMapper();
        for (String l : lines) {
            JsonNode n = json.readTree(l);
            String completion = n.get("completion").asText();
            assertTrue(completion.matches("\\d+"), "accepted only: " + l);
            assertTrue(seen.add(n.get("prompt").asText() + "\u0000" + completion), "distinct only: " + l);
            perPrompt.merge(n.get("prompt").asText(), 1, Integer::sum);
        }
        assertTrue(perPrompt.values().stream().allMatch(k -> k <= 2), perPrompt.toString());
        assertEquals(r.promptsWithKept(), perPrompt.size());
    }
}

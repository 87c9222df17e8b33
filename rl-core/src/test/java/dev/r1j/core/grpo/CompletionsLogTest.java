package dev.r1j.core.grpo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1j.core.sampling.Completion;
import dev.r1j.core.sampling.FinishReason;
import dev.r1j.core.sampling.Prompt;
import dev.r1j.verifiers.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompletionsLogTest {
    @TempDir
    Path dir;

    private static GrpoStepMetrics metrics(int step) {
        return new GrpoStepMetrics(step, 0.5, 0.1, 0.25, -0.01, Double.NaN, 0.01, 0.02, 1.5, 1.0, 12, 0.1, 1e-4,
                0.7, 4, 4, 384, 1.0, 0.5, 0.25, 0.25, 3.0);
    }

    @Test
    void metricsJsonHasTheDocumentedFields() {
        Map<String, Object> first = metrics(1).toJson();
        for (String key : List.of("step", "stage", "reward_mean", "reward_std", "accuracy", "loss", "kl", "clip_frac",
                "entropy", "completion_len_mean", "lr", "grad_norm", "tokens_per_s", "elapsed_s")) {
            assertTrue(first.containsKey(key), key);
        }
        assertNull(first.get("kl")); // NaN is written as null
        assertEquals(0.03, ((Number) first.get("clip_frac")).doubleValue(), 1e-12);
        assertEquals(192.0, ((Number) first.get("tokens_per_s")).doubleValue(), 1e-9); // 384 tokens / 2 s
    }

    @Test
    void writesCompletionsAndTruncatesForResume() throws Exception {
        CompletionsLog log = new CompletionsLog(dir);
        ScoredCompletion sc = new ScoredCompletion(new Prompt("1+1=", Map.of("answer", "2")), new int[] {1, 2},
                new Completion(new int[] {3}, "2", null, FinishReason.EOS), Verdict.of(1.0, "correct"), 1.0, 0.5);
        for (int s = 1; s <= 3; s++) {
            log.appendCompletions(s, List.of(sc, sc), 1);
        }
        assertEquals(3, Files.readAllLines(log.completionsFile()).size());
        Map<?, ?> c = new ObjectMapper().readValue(Files.readAllLines(log.completionsFile()).get(0), Map.class);
        assertEquals("eos", c.get("finish_reason"));
        assertEquals("1+1=", c.get("prompt"));

        log.truncateAfter(2);
        assertEquals(2, Files.readAllLines(log.completionsFile()).size());
        Files.writeString(log.completionsFile(), "{\"nostep\": 1}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> log.truncateAfter(1));
        assertTrue(e.getMessage().contains("completions.jsonl:1"), e.getMessage());
    }
}

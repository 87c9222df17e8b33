package dev.r1j.recipes.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsLogTest {
    @Test
    void writesOneFlushedLinePerStep(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("metrics.jsonl");
        try (MetricsLog log = MetricsLog.open(f, "grpo", 1)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("reward_mean", 0.5);
            m.put("loss", Double.NaN);
            m.put("completion_len_mean", 12);
            log.log(1, m);
            // Flushed before close: another reader sees it now.
            assertEquals(List.of("{\"step\":1,\"stage\":\"grpo\",\"stage_index\":1,\"reward_mean\":0.5,\"loss\":null,\"completion_len_mean\":12}"),
                    Files.readAllLines(f));
            assertThrows(IllegalArgumentException.class, () -> log.log(2, Map.of("step", 3)));
        }
    }

    @Test
    void resumeTruncatesLinesAfterTheResumedStep(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("metrics.jsonl");
        try (MetricsLog a = MetricsLog.open(f, "sft", 0)) {
            for (int s = 1; s <= 3; s++) {
                a.log(s, Map.of("loss", s));
            }
        }
        try (MetricsLog b = MetricsLog.open(f, "grpo", 1)) {
            for (int s = 1; s <= 5; s++) {
                b.log(s, Map.of("loss", 10 + s));
            }
        }
        try (MetricsLog c = MetricsLog.open(f, "eval", 2)) {
            c.log(1, Map.of("accuracy", 0.5));
        }
        Files.writeString(f, "{\"step\":6,\"stage\":\"grpo\",\"stag", StandardOpenOption.APPEND); // torn by a crash

        // grpo resumes from its checkpoint at step 3: its steps 4, 5, the eval line and the torn line go.
        try (MetricsLog b = MetricsLog.open(f, "grpo", 1)) {
            b.truncateAfter(3);
            assertEquals(List.of("sft:1", "sft:2", "sft:3", "grpo:1", "grpo:2", "grpo:3"), keys(f));
            b.log(4, Map.of("loss", 99));
        }
        assertEquals(List.of("sft:1", "sft:2", "sft:3", "grpo:1", "grpo:2", "grpo:3", "grpo:4"), keys(f));
        assertEquals(99, MetricsLog.read(f).get(6).get("loss").asInt());
    }

    @Test
    void firstLogOfASessionDropsWhatItWillRewrite(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("metrics.jsonl");
        try (MetricsLog b = MetricsLog.open(f, "grpo", 0)) {
            for (int s = 1; s <= 4; s++) {
                b.log(s, Map.of("loss", s));
            }
        }
        try (MetricsLog later = MetricsLog.open(f, "eval", 1)) {
            later.log(1, Map.of("accuracy", 1));
        }
        // A resumed stage whose checkpoint was at step 2 logs step 3 first, without calling truncateAfter.
        try (MetricsLog b = MetricsLog.open(f, "grpo", 0)) {
            b.log(3, Map.of("loss", 30));
            b.log(4, Map.of("loss", 40));
        }
        assertEquals(List.of("grpo:1", "grpo:2", "grpo:3", "grpo:4"), keys(f));
        assertEquals(30, MetricsLog.read(f).get(2).get("loss").asInt());
    }

    private static List<String> keys(Path f) {
        return MetricsLog.read(f).stream().map(n -> n.get("stage").asText() + ":" + n.get("step").asLong()).toList();
    }
}

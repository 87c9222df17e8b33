package dev.r1j.recipes.report;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class ProgressFactoryTest {
    @Test
    void plainLinesWithoutATerminal() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        ProgressFactory f = ProgressFactory.lines(lines::add, Duration.ofMillis(20));
        try (Progress p = f.start("grpo", 8, 3)) {
            for (int i = 0; i < 5; i++) {
                p.step();
                p.extra("reward 0.41");
                Thread.sleep(10);
            }
        }
        assertFalse(lines.isEmpty());
        String last = lines.get(lines.size() - 1);
        assertTrue(last.contains("grpo") && last.contains("8/8") && last.contains("reward 0.41"), last);
        assertTrue(last.contains("100%"), last);
        // The rate reads "?" during the first second (the library's choice), a number after.
        assertTrue(last.contains(" steps/s reward 0.41"), "shows the rate, then the extra text: " + last);
        for (String l : lines) {
            assertFalse(l.contains("\r") || l.contains("\u001b"), "no carriage return or colour codes: " + l);
        }
    }

    /** At 80 columns the metrics stay whole: the bar and the rate give way, not the extra text. */
    @Test
    void theExtraTextSurvivesAnEightyColumnLine() throws Exception {
        String metrics = "reward 0.812 acc 0.75 len 47.5";
        for (int width : new int[] {120, 80, 60}) {
            List<String> lines = new CopyOnWriteArrayList<>();
            try (Progress p = ProgressFactory.lines(lines::add, Duration.ofMillis(5), width).start("grpo", 1000, 3)) {
                for (int i = 0; i < 3; i++) {
                    p.step();
                    p.extra(metrics);
                    Thread.sleep(10);
                }
            }
            String last = lines.get(lines.size() - 1);
            assertTrue(last.length() <= width, width + ": " + last.length() + " chars: " + last);
            assertTrue(last.endsWith(metrics), width + ": " + last);
            assertTrue(last.startsWith("grpo   0%") && last.contains("6/1000"), width + ": " + last);
            if (width == 120) {
                assertTrue(last.contains("[") && last.contains(" steps/s "), "room for bar and rate: " + last);
            }
        }
        List<String> narrow = new CopyOnWriteArrayList<>();
        try (Progress p = ProgressFactory.lines(narrow::add, Duration.ofMillis(5), 30).start("grpo", 10)) {
            p.step();
            p.extra(metrics + " and much more text than fits");
        }
        String last = narrow.get(narrow.size() - 1);
        assertTrue(last.length() <= 30 && last.endsWith("…"), "only then is it cut: " + last);
    }
}

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
}

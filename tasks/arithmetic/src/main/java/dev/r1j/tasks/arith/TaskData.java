package dev.r1j.tasks.arith;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** What the toy tasks share when they make their data: distinct problems on one side of the split, JSONL files. */
final class TaskData {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TaskData() {}

    /**
     * {@code n} distinct values of {@code draw} that {@code keep} accepts, in the order drawn; after a generous number
     * of tries, an error saying {@code tooFew} (the operand range is too small for the sizes asked).
     */
    static <T> List<T> distinct(int n, Supplier<T> draw, Predicate<T> keep, Supplier<String> tooFew) {
        Set<T> seen = new LinkedHashSet<>();
        long tries = 0;
        while (seen.size() < n) {
            if (++tries > 1000L * n + 100_000) throw new IllegalStateException(tooFew.get());
            T t = draw.get();
            if (keep.test(t)) seen.add(t);
        }
        return List.copyOf(seen);
    }

    /** Writes one JSON object per line. */
    static Path writeJsonl(Path file, List<? extends Map<String, Object>> rows) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Map<String, Object> row : rows) {
                w.write(JSON.writeValueAsString(row));
                w.write('\n');
            }
        }
        return file;
    }
}

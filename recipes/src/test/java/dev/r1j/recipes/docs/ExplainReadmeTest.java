package dev.r1j.recipes.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.r1j.recipes.cli.Main;
import dev.r1j.recipes.stage.StageRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The option tables in recipes/README.md are {@code recipe explain STAGE} for every stage, verbatim: an option added,
 * renamed or re-documented without regenerating them fails here. Regenerate with
 * {@code mvn -B -o verify -pl recipes -am -Dtest=ExplainReadmeTest -Dsurefire.failIfNoSpecifiedTests=false -Dreadme.update=true}.
 */
class ExplainReadmeTest {
    static final Path README = Path.of("README.md");
    static final String INTRO = "`recipe explain STAGE` prints the options (all stages, generated from the options records):";

    @Test
    void optionTablesAreTheExplainOutputOfEveryStage() throws Exception {
        List<String> lines = Files.readAllLines(README, StandardCharsets.UTF_8);
        int intro = lines.indexOf(INTRO);
        assertTrue(intro >= 0, "README.md lost the line: " + INTRO);
        int open = intro + 2; // a blank line, then the fence
        assertEquals("```", lines.get(open), "README.md: expected a ``` fence two lines after: " + INTRO);
        int close = open + 1;
        while (!lines.get(close).equals("```")) close++;

        String documented = String.join("\n", lines.subList(open + 1, close));
        String generated = explainEveryStage(documentedOrder(lines.subList(open + 1, close)));
        if (Boolean.getBoolean("readme.update") && !generated.equals(documented)) {
            List<String> updated = new ArrayList<>(lines.subList(0, open + 1));
            updated.addAll(List.of(generated.split("\n", -1)));
            updated.addAll(lines.subList(close, lines.size()));
            Files.write(README, updated, StandardCharsets.UTF_8);
            return;
        }
        assertEquals(generated, documented, "recipes/README.md's option tables are stale; regenerate them as this "
                + "test's Javadoc says (-Dreadme.update=true)");
    }

    /** The README lists stages in pipeline order; a stage it lacks goes at the end, one it has but R1J lacks fails. */
    private static List<String> documentedOrder(List<String> block) {
        List<String> known = new ArrayList<>(StageRegistry.defaultRegistry().names());
        List<String> order = new ArrayList<>();
        for (String line : block) {
            int colon = line.indexOf(": ");
            if (colon > 0 && known.contains(line.substring(0, colon))) order.add(line.substring(0, colon));
        }
        known.removeAll(order);
        order.addAll(known);
        return order;
    }

    private static String explainEveryStage(List<String> stages) {
        List<String> parts = new ArrayList<>();
        for (String stage : stages) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = Main.commandLine(new Main(), new PrintWriter(out, true), new PrintWriter(err, true))
                    .execute("explain", stage);
            assertEquals(0, code, err.toString());
            parts.add(out.toString().stripTrailing());
        }
        return String.join("\n\n", parts);
    }
}

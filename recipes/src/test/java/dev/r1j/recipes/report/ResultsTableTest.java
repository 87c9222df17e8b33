package dev.r1j.recipes.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResultsTableTest {
    @Test
    void beforeAfterTableIsAlignedWithSignedChange() {
        Map<String, Double> before = new LinkedHashMap<>();
        before.put("accuracy", 0.3125);
        before.put("reward_mean", 0.41);
        before.put("completion_len_mean", 48.0);
        Map<String, Double> after = new LinkedHashMap<>();
        after.put("accuracy", 0.5875);
        after.put("reward_mean", 0.3);
        after.put("completion_len_mean", 31.5);
        String expected = ""
                + "metric               before  after   change\n"
                + "--------------------------------------------\n"
                + "accuracy              0.313   0.588   +0.275\n" // 0.3125 rounds half up
                + "reward_mean           0.410   0.300   -0.110\n"
                + "completion_len_mean      48  31.500  -16.500\n";
        assertEquals(expected, ResultsTable.beforeAfter(before, after).render());
    }

    @Test
    void missingValuesShowAsDash() {
        Map<String, Map<String, Double>> r = new LinkedHashMap<>();
        r.put("base", Map.of("accuracy", 0.5));
        r.put("grpo", Map.of("kl", 0.25));
        String expected = ""
                + "metric    base   grpo   change\n"
                + "------------------------------\n"
                + "accuracy  0.500      -       -\n"
                + "kl            -  0.250       -\n";
        assertEquals(expected, ResultsTable.compare(r).render());
        assertEquals("1234.6", ResultsTable.format(1234.56));
        assertEquals("-3", ResultsTable.format(-3.0));
    }
}

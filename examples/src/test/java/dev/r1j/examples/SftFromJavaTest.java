package dev.r1j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.r1j.sft.StepMetrics;
import java.util.List;
import org.junit.jupiter.api.Test;

class SftFromJavaTest {
    @Test
    void trainingAndHeldOutLossFall() {
        SftFromJava.Result r = SftFromJava.run(40, 42L);
        List<StepMetrics> s = r.steps();
        assertEquals(40, s.size());
        double first = s.subList(0, 5).stream().mapToDouble(StepMetrics::loss).average().orElseThrow();
        double last = s.subList(35, 40).stream().mapToDouble(StepMetrics::loss).average().orElseThrow();
        System.out.printf("SftFromJava: loss %.3f -> %.3f, held-out %.3f -> %.3f%n", first, last, r.evalLossBefore(),
                r.evalLossAfter());
        // a random model starts near ln(vocab) ~ 3.9 nats; the worked solutions are highly regular
        assertTrue(first > 3.0, "start loss " + first);
        assertTrue(last < 0.6 * first, "loss " + first + " -> " + last);
        assertTrue(r.evalLossAfter() < 0.6 * r.evalLossBefore(), r.evalLossBefore() + " -> " + r.evalLossAfter());
    }
}

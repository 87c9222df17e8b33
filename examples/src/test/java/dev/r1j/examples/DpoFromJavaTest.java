package dev.r1j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.r1j.preference.PreferenceLossType;
import dev.r1j.preference.PreferenceStepMetrics;
import java.util.List;
import org.junit.jupiter.api.Test;

class DpoFromJavaTest {
    @Test
    void dpoWidensTheMarginFromZero() {
        List<PreferenceStepMetrics> ms = DpoFromJava.run(60, PreferenceLossType.SIGMOID, 42L);
        assertEquals(60, ms.size());
        // at the first step the policy is its own reference: margin 0, loss log 2
        assertEquals(0, ms.get(0).rewardMargin(), 1e-5);
        assertEquals(Math.log(2), ms.get(0).loss(), 1e-4);
        double lateMargin = ms.subList(50, 60).stream().mapToDouble(PreferenceStepMetrics::rewardMargin).average().orElseThrow();
        double lateAcc = ms.subList(50, 60).stream().mapToDouble(PreferenceStepMetrics::accuracy).average().orElseThrow();
        System.out.printf("DpoFromJava: margin 0 -> %.3f, accuracy %.2f, loss %.3f -> %.3f%n", lateMargin, lateAcc,
                ms.get(0).loss(), ms.get(59).loss());
        // the answers differ in one digit that a random-init model cannot compute, so it learns the pairs one by one:
        // measured margin 0.57 and accuracy 0.75 over steps 51-60 (0 and 0 at step 1, where the margin is exactly 0)
        assertTrue(lateMargin > 0.3, "margin " + lateMargin);
        assertTrue(lateAcc > 0.65, "accuracy " + lateAcc);
        assertTrue(ms.get(59).loss() < ms.get(0).loss());
    }
}

package dev.r1j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.r1j.core.grpo.GrpoStepMetrics;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GrpoFromJavaTest {
    private static double meanReward(List<GrpoStepMetrics> steps) {
        return steps.stream().mapToDouble(GrpoStepMetrics::rewardMean).average().orElseThrow();
    }

    /** Two seeds, so that a rise is not one lucky initialisation. */
    @ParameterizedTest
    @ValueSource(longs = {42L, 7L})
    void rewardOfTheRewardedBehaviourRises(long seed) {
        List<GrpoStepMetrics> ms = GrpoFromJava.run(30, seed, null);
        assertEquals(30, ms.size());
        double first = meanReward(ms.subList(0, 5));
        double last = meanReward(ms.subList(25, 30));
        System.out.printf("GrpoFromJava seed %d: reward %.3f (steps 1-5) -> %.3f (steps 26-30), entropy %.2f -> %.2f%n",
                seed, first, last, ms.get(0).entropy(), ms.get(29).entropy());
        // A random model answers with a bare number rarely (digits are 10 of 32 tokens and it must stop or fill
        // all four places with them); after GRPO it nearly always does.
        assertTrue(first < 0.25, "start reward " + first);
        assertTrue(last > 0.8, "end reward " + last);
        for (GrpoStepMetrics m : ms) {
            assertEquals(8, m.groupsKept(), "8 prompts per step, none dropped");
            assertTrue(Double.isFinite(m.entropy()) && m.completionLenMean() <= 4, m.toString());
        }
        assertTrue(ms.get(29).entropy() < ms.get(0).entropy(), "the policy sharpens");
    }
}

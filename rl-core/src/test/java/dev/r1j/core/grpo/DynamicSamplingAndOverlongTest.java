package dev.r1j.core.grpo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.r1j.core.sampling.FinishReason;
import org.junit.jupiter.api.Test;

class DynamicSamplingAndOverlongTest {
    @Test
    void dropsGroupsWithAllEqualRewards() {
        double[] r = {1, 1, 1, 0, 0, 0, 0.5, 0.5, 0.5, 0, 1, 0};
        assertArrayEquals(new boolean[] {false, false, false, true},
                DynamicSampling.informativeGroups(r, 3));
    }

    @Test
    void drawPolicy() {
        assertEquals(8, DynamicSampling.nextDraw(8, 0, 0, 0, 3, 64)); // first round: the target itself
        // kept 4 of 8: smoothed rate (4+1)/(8+2) = .5, so 4 missing need 8 more.
        assertEquals(8, DynamicSampling.nextDraw(8, 4, 8, 1, 3, 64));
        // nothing kept of 8: rate 1/10, 8 missing -> 80, capped at 64.
        assertEquals(64, DynamicSampling.nextDraw(8, 0, 8, 1, 3, 64));
        // kept 7 of 10: rate 8/12, 1 missing -> ceil(1.5) = 2.
        assertEquals(2, DynamicSampling.nextDraw(8, 7, 10, 1, 3, 64));
        assertEquals(0, DynamicSampling.nextDraw(8, 8, 12, 1, 3, 64)); // full
        assertEquals(0, DynamicSampling.nextDraw(8, 2, 24, 3, 3, 64)); // rounds used up
        assertThrows(IllegalArgumentException.class, () -> DynamicSampling.nextDraw(8, 5, 4, 1, 3, 64));
    }

    @Test
    void softOverlongPenalty() {
        // max 64, cache 16: free up to 48 tokens, then linear down to -factor at 64.
        assertEquals(0.0, Overlong.softPenalty(10, 64, 16, 1.0));
        assertEquals(0.0, Overlong.softPenalty(48, 64, 16, 1.0));
        assertEquals(-1.0 / 16, Overlong.softPenalty(49, 64, 16, 1.0), 1e-15);
        assertEquals(-0.5, Overlong.softPenalty(56, 64, 16, 1.0), 1e-15);
        assertEquals(-1.0, Overlong.softPenalty(64, 64, 16, 1.0), 1e-15);
        assertEquals(-0.5, Overlong.softPenalty(64, 64, 16, 0.5), 1e-15);
        assertEquals(-1.0, Overlong.softPenalty(70, 64, 16, 1.0), 1e-15);
        assertEquals(0.0, Overlong.softPenalty(64, 64, 0, 1.0)); // off
        assertThrows(IllegalArgumentException.class, () -> Overlong.softPenalty(5, 64, 65, 1.0));
    }

    @Test
    void truncationMask() {
        assertFalse(Overlong.keepInLoss(FinishReason.LENGTH, true));
        assertTrue(Overlong.keepInLoss(FinishReason.LENGTH, false));
        assertTrue(Overlong.keepInLoss(FinishReason.EOS, true));
        assertTrue(Overlong.keepInLoss(FinishReason.STOP, true));
    }
}

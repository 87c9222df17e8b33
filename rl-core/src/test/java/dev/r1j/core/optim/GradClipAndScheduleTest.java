package dev.r1j.core.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.r1j.core.Djl;
import java.util.List;
import org.junit.jupiter.api.Test;

class GradClipAndScheduleTest {
    @Test
    void clippingScalesTheGlobalNormToTheMaximum() {
        try (NDManager m = Djl.newManager()) {
            NDArray a = m.create(new float[] {1, 2, 3});
            NDArray b = m.create(new float[] {0.5f, -1});
            a.setRequiresGradient(true);
            b.setRequiresGradient(true);
            try (GradientCollector gc = Djl.engine().newGradientCollector()) {
                // d/da = (3, 0, 4), d/db = (0, 12): global norm sqrt(9 + 16 + 144) = 13.
                NDArray loss = a.mul(m.create(new float[] {3, 0, 4})).sum().add(b.mul(m.create(new float[] {0, 12})).sum());
                gc.backward(loss);
            }
            List<NDArray> ps = List.of(a, b);
            assertEquals(13.0, GradClip.globalNorm(ps), 1e-5);
            assertEquals(13.0, GradClip.clipGlobalNorm(ps, 20.0), 1e-5); // under the limit: untouched
            assertEquals(13.0, GradClip.globalNorm(ps), 1e-5);
            assertEquals(13.0, GradClip.clipGlobalNorm(ps, 1.3), 1e-5);
            assertEquals(1.3, GradClip.globalNorm(ps), 1e-5);
            float[] ga = a.getGradient().toFloatArray();
            assertEquals(0.3f, ga[0], 1e-6);
            assertEquals(0.4f, ga[2], 1e-6);
            assertEquals(1.2f, b.getGradient().toFloatArray()[1], 1e-6);
        }
    }

    @Test
    void scheduleValues() {
        LrSchedule cos = new LrSchedule(LrSchedule.Kind.COSINE, 1.0, 4, 14, 0.1);
        assertEquals(0.25, cos.lr(0), 1e-12);
        assertEquals(1.0, cos.lr(3), 1e-12);
        assertEquals(1.0, cos.lr(4), 1e-12); // decay starts
        // halfway through the 10 decay steps: 0.1 + 0.9 * 0.5 * (1 + cos(pi/2)) = 0.55
        assertEquals(0.55, cos.lr(9), 1e-12);
        assertEquals(0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * 0.3)), cos.lr(7), 1e-12);
        assertEquals(0.1, cos.lr(14), 1e-12);
        assertEquals(0.1, cos.lr(100), 1e-12);
        LrSchedule lin = new LrSchedule(LrSchedule.Kind.LINEAR, 2.0, 0, 10, 0.0);
        assertEquals(2.0, lin.lr(0), 1e-12);
        assertEquals(1.0, lin.lr(5), 1e-12);
        assertEquals(0.0, lin.lr(10), 1e-12);
        LrSchedule con = new LrSchedule(LrSchedule.Kind.CONSTANT, 3e-4, 2, 10, 0.0);
        assertEquals(1.5e-4, con.lr(0), 1e-18);
        assertEquals(3e-4, con.lr(7), 1e-18);
    }

    @Test
    void accumulationSplit() {
        assertEquals(List.of(new GradientAccumulation.Range(0, 3), new GradientAccumulation.Range(3, 5),
                new GradientAccumulation.Range(5, 7)), GradientAccumulation.split(7, 3));
        assertThrows(IllegalArgumentException.class, () -> GradientAccumulation.split(2, 3));
    }
}

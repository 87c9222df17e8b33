package dev.r1j.core;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link Scalars}: the same values as DJL's number overloads, and gradients that stay exact when every unreferenced
 * Java buffer is freed between forward and backward (issue 18), checked against hand-derived gradients.
 */
class ScalarsTest {
    static NDManager root;
    static final float[] X = {-2f, -0.5f, 0f, 0.25f, 0.8f, 1.2f, 1.5f, 3f};

    @BeforeAll
    static void start() {
        root = Djl.newManager();
    }

    @AfterAll
    static void stop() {
        root.close();
    }

    /** Value and gradient of {@code sum(op(x))}, with a full collection of freed buffers before backward. */
    private static float[][] valueAndGradient(UnaryOperator<NDArray> op) {
        try (NDManager m = root.newSubManager()) {
            NDArray x = m.create(X);
            x.setRequiresGradient(true);
            float[] value;
            try (GradientCollector gc = Djl.engine().newGradientCollector()) {
                NDArray y = op.apply(x);
                value = y.toFloatArray();
                NDArray loss = y.sum();
                FreedBuffers.now();
                gc.backward(loss);
            }
            return new float[][] {value, x.getGradient().toFloatArray()};
        }
    }

    private static float[] djl(UnaryOperator<NDArray> op) {
        try (NDManager m = root.newSubManager()) {
            return op.apply(m.create(X)).toFloatArray();
        }
    }

    private static float[] filled(float v) {
        float[] out = new float[X.length];
        java.util.Arrays.fill(out, v);
        return out;
    }

    @Test
    void mulAndDivKeepTheirGradientAcrossACollection() {
        double s = 0.17677669529663687; // 1/sqrt(32), an attention scale
        float[][] mul = valueAndGradient(x -> Scalars.mul(x, s));
        assertArrayEquals(djl(x -> x.mul(s)), mul[0], 0f);
        assertArrayEquals(filled((float) s), mul[1], 0f);

        float[][] div = valueAndGradient(x -> Scalars.div(x, 37));
        assertArrayEquals(djl(x -> x.div(37)), div[0], 0f);
        assertArrayEquals(filled(1f / 37f), div[1], 0f);
    }

    @Test
    void minimumAndMaximumSplitTheGradientAtATieLikePyTorch() {
        float[][] min = valueAndGradient(x -> Scalars.minimum(x, 0.25));
        assertArrayEquals(djl(x -> x.minimum(0.25f)), min[0], 0f);
        assertArrayEquals(new float[] {1, 1, 1, 0.5f, 0, 0, 0, 0}, min[1], 0f);

        float[][] max = valueAndGradient(x -> Scalars.maximum(x, 0.25));
        assertArrayEquals(djl(x -> x.maximum(0.25f)), max[0], 0f);
        assertArrayEquals(new float[] {0, 0, 0, 0.5f, 1, 1, 1, 1}, max[1], 0f);
    }

    @Test
    void clipClampsValuesAndPassesTheGradientInsideBoundsIncluded() {
        float[][] clip = valueAndGradient(x -> Scalars.clip(x, -0.5, 1.5));
        assertArrayEquals(djl(x -> x.clip(-0.5, 1.5)), clip[0], 0f);
        assertArrayEquals(new float[] {-0.5f, -0.5f, 0f, 0.25f, 0.8f, 1.2f, 1.5f, 1.5f}, clip[0], 0f);
        assertArrayEquals(new float[] {0, 1, 1, 1, 1, 1, 1, 0}, clip[1], 0f);
    }

    /**
     * The cause itself, so this test class can be trusted to see it: DJL's own overload loses its operand in the
     * collection and the gradient is no longer the scale. Whether the freed buffer is overwritten before backward
     * reads it depends on the collector and the allocator (a full test run once saw it intact), so the control tries
     * a few times and is skipped, with the reason, when the memory happened to survive every try. (Should DJL ever
     * copy or keep the operand, it is skipped every time, and {@link Scalars} is no longer needed.)
     */
    @Test
    void djlsNumberOverloadReadsFreedMemoryInBackward() {
        double s = 0.17677669529663687;
        boolean corrupted = false;
        for (int attempt = 0; attempt < 10 && !corrupted; attempt++) {
            float[][] mul = valueAndGradient(x -> x.mul(s));
            assertArrayEquals(djl(x -> x.mul(s)), mul[0], 0f, "the forward value is right");
            corrupted = !java.util.Arrays.equals(filled((float) s), mul[1]);
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(corrupted, "DJL's mul(Number) operand survived 10 GCs intact on "
                + "this run: the control could not show the freed-memory read this time");
    }
}

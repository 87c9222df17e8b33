package dev.r1j.examples;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.r1j.core.Djl;

/**
 * This machine's ceilings, measured in the benchmark's own run so its figures are ratios against them: the GEMM rate
 * (what a training update can reach) and the memory read bandwidth (what bounds a decode step, which reads every
 * weight once). Shared by {@link RealScaleBenchmark} and {@link DecodeStepBenchmark}.
 *
 * <pre>{@code
 * double boundSeconds = weightBytes / MachineCeilings.memoryBandwidth();
 * }</pre>
 */
final class MachineCeilings {
    private MachineCeilings() {}

    /** Best GEMM rate of a few shapes (a 0.5B model's MLP shape and a square one), in FLOP/s. */
    static double gemmRate() {
        double best = 0;
        try (NDManager m = Djl.newManager()) {
            long[][] shapes = {{2048, 896, 4864}, {2048, 2048, 2048}};
            for (long[] s : shapes) {
                NDArray a = m.randomNormal(new Shape(s[0], s[1]));
                NDArray b = m.randomNormal(new Shape(s[1], s[2]));
                for (int i = 0; i < 4; i++) {
                    long t = System.nanoTime();
                    NDArray c = a.matMul(b);
                    c.toType(DataType.FLOAT32, false).getFloat(0, 0);
                    double sec = (System.nanoTime() - t) / 1e9;
                    c.close();
                    if (i > 0) best = Math.max(best, 2.0 * s[0] * s[1] * s[2] / sec);
                }
            }
        }
        return best;
    }

    /** Read bandwidth in bytes/s: the best of four timed sums over 1 GB of floats (the first run warms up). */
    static double memoryBandwidth() {
        double best = 0;
        try (NDManager m = Djl.newManager()) {
            NDArray a = m.ones(new Shape(256L * 1024 * 1024));
            for (int i = 0; i < 5; i++) {
                long t = System.nanoTime();
                a.sum().getFloat();
                double sec = (System.nanoTime() - t) / 1e9;
                if (i > 0) best = Math.max(best, 4.0 * a.size() / sec);
            }
        }
        return best;
    }
}

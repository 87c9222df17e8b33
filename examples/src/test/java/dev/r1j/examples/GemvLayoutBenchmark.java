package dev.r1j.examples;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.pytorch.jni.JniUtils;
import dev.r1j.core.Djl;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The BLAS kernel under the decode step (issue 12): the CPU time of {@code x W^T} at Qwen2.5-0.5B's decode shapes
 * (LM head 151,936 x 896, MLP 4864 x 896 and 896 x 4864) for 1, 4, 8, 16 rows, by operand layout ({@code linear},
 * the weight as the left operand), against summing the same weight (one streaming read). One intra-op thread, so the
 * calling thread's CPU time is the op's (precise, and not inflated by other processes); best of {@code bench.reps}
 * [5]; weights rotated over ~600 MB of copies so that no cache holds them.
 *
 * <pre>
 * mvn -B -o -Pbench -pl examples -am test -Dtest=GemvLayoutBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
class GemvLayoutBenchmark {
    @Test
    void layouts() {
        Djl.engine();
        JniUtils.setNumThreads(1);
        ThreadMXBean tm = ManagementFactory.getThreadMXBean();
        long[][] shapes = {{151_936, 896}, {4864, 896}, {896, 4864}};
        int reps = Integer.getInteger("bench.reps", 5);
        try (NDManager m = Djl.newManager()) {
            for (long[] s : shapes) {
                long n = s[0];
                long k = s[1];
                int copies = (int) Math.max(1, 600_000_000L / (n * k * 4)); // rotate weights so caches do not help
                NDArray[] w = new NDArray[copies];
                for (int c = 0; c < copies; c++) w[c] = m.randomNormal(new Shape(n, k));
                for (int rows : new int[] {1, 4, 8, 16}) {
                    NDArray x = m.randomNormal(new Shape(rows, k));
                    NDArray xt = x.transpose().duplicate();
                    Map<String, Supplier<NDArray>> ops = new LinkedHashMap<>();
                    int[] i = {0};
                    ops.put("linear", () -> Linear.linear(x, w[i[0]++ % copies]).singletonOrThrow());
                    ops.put("W@xT", () -> w[i[0]++ % copies].matMul(xt));
                    ops.put("W@x.T", () -> w[i[0]++ % copies].matMul(x.transpose()));
                    ops.put("sum", () -> w[i[0]++ % copies].sum());
                    Map<String, double[]> best = new LinkedHashMap<>();
                    for (int r = 0; r < reps; r++) {
                        for (Map.Entry<String, Supplier<NDArray>> e : ops.entrySet()) {
                            long c0 = tm.getCurrentThreadCpuTime();
                            for (int j = 0; j < copies; j++) e.getValue().get().close();
                            double ms = (tm.getCurrentThreadCpuTime() - c0) / 1e6 / copies;
                            double[] b = best.computeIfAbsent(e.getKey(), key -> new double[] {Double.MAX_VALUE});
                            b[0] = Math.min(b[0], ms);
                        }
                    }
                    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "[%d x %d] rows %2d:", n, k, rows));
                    for (Map.Entry<String, double[]> e : best.entrySet()) {
                        line.append(String.format(Locale.ROOT, "  %s %.2f ms (%.1f GB/s)", e.getKey(), e.getValue()[0],
                                n * k * 4 / e.getValue()[0] / 1e6));
                    }
                    line.append(String.format(Locale.ROOT, "  load %.1f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
                    System.out.println(line);
                }
                for (NDArray a : w) a.close();
            }
        }
    }
}

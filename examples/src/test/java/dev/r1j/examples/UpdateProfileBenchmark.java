package dev.r1j.examples;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.r1j.core.Djl;
import dev.r1j.core.model.LogProbs;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.model.Transformer;
import dev.r1j.core.optim.AdamW;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Where the update's time goes at Qwen2.5-0.5B's shape (issue 12): one micro-batch's forward and backward of the
 * loss GRPO uses (chosen-token log-probs, weighted and summed) on {@code bench.rows} [4] rows of {@code bench.tokens}
 * [363] tokens, as {@link RealScaleBenchmark}'s step, timed against the GEMM ceiling measured in the same run, then
 * once under PyTorch's profiler: every op's self time (its time minus its children's), summed by name over the
 * forward (the JNI calls) and the backward (the autograd engine's nodes), and the matrix-multiply share. Then AdamW's
 * step over all 494M parameters against one read of the memory it touches.
 *
 * <pre>
 * mvn -B -o -Pbench -pl examples -am test -Dtest=UpdateProfileBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dbench.layers=24 "-Dsurefire.argLine=-Xmx1g -XX:MaxDirectMemorySize=4g"
 * </pre>
 */
class UpdateProfileBenchmark {
    private static final int VOCAB = 151_936;

    /** Runs outside Maven from a copy of the classes: {@code java -cp <copy> dev.r1j.examples.UpdateProfileBenchmark}. */
    public static void main(String[] args) {
        new UpdateProfileBenchmark().forwardBackwardAndOptimizerAtHalfABillionParameters();
    }

    @Test
    void forwardBackwardAndOptimizerAtHalfABillionParameters() {
        int layers = Integer.getInteger("bench.layers", 24);
        int rows = Integer.getInteger("bench.rows", 4);
        int tokens = Integer.getInteger("bench.tokens", 363);
        boolean checkpointing = Boolean.parseBoolean(System.getProperty("bench.gc", "true"));
        double gemm = MachineCeilings.gemmRate();
        double bandwidth = MachineCeilings.memoryBandwidth();
        System.out.printf(Locale.ROOT, "UpdateProfileBenchmark: %d layers, %d rows x %d tokens, checkpointing %s; GEMM "
                + "ceiling %.1f GFLOP/s, read bandwidth %.1f GB/s; load average %.2f%n", layers, rows, tokens,
                checkpointing, gemm / 1e9, bandwidth / 1e9, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        ModelConfig config = new ModelConfig("qwen2", VOCAB, 896, 4864, layers, 14, 2, 64, 32768, 1e-6, 1000000.0,
                null, true, false, false, null, List.of(), null, "float32", null);
        try (NDManager root = Djl.newManager(); Transformer model = Transformer.create(config, root, 1)) {
            model.setGradientCheckpointing(checkpointing);
            Random rnd = new Random(5);
            long[][] ids = new long[rows][tokens];
            float[][] coef = new float[rows][tokens - 1];
            for (int r = 0; r < rows; r++) {
                for (int t = 0; t < tokens; t++) ids[r][t] = rnd.nextInt(VOCAB);
                for (int t = 0; t < tokens - 1; t++) coef[r][t] = (float) rnd.nextGaussian() * 1e-3f;
            }
            double modelFlops = model.trainingFlopsPerToken(tokens) * rows * tokens;
            double headFlops = 2.0 * VOCAB * 896 * rows * tokens;
            double layerFlops = 2.0 * (model.parameterCount() - (double) VOCAB * 896) * rows * tokens;
            // checkpointing: the layers' forward runs again in backward, the LM head twice more (no-grad pass, recompute)
            double executed = modelFlops + (checkpointing ? layerFlops + headFlops : 0);
            double[] split = new double[2];
            for (int rep = 0; rep < 2; rep++) { // the first is a warm-up
                split = microBatch(model, root, ids, coef);
                if (rep == 0) continue;
                double s = split[0] + split[1];
                System.out.printf(Locale.ROOT, "forward %.1f s + backward %.1f s = %.1f s: model FLOPs %.2f TFLOP at "
                        + "%.1f GFLOP/s (%.2f of the GEMM ceiling); executed incl. recomputation %.2f TFLOP at %.1f GFLOP/s "
                        + "(%.2f)%n", split[0], split[1], s, modelFlops / 1e12, modelFlops / s / 1e9, modelFlops / s / gemm,
                        executed / 1e12, executed / s / 1e9, executed / s / gemm);
            }
            printSelfTimes(ProfilerTrace.of(() -> microBatch(model, root, ids, coef)));
            optimizerStep(model, bandwidth);
        }
    }

    /** One forward and backward of the weighted log-prob sum; returns {forward s, backward s}. */
    private static double[] microBatch(Transformer model, NDManager root, long[][] ids, float[][] coef) {
        AdamW.zeroGrad(model.parameters());
        try (NDManager m = root.newSubManager()) {
            NDArray x = m.create(ids);
            NDArray mask = m.ones(x.getShape(), ai.djl.ndarray.types.DataType.INT64);
            NDArray c = m.create(coef);
            try (GradientCollector gc = Djl.engine().newGradientCollector()) {
                long t0 = System.nanoTime();
                NDArray loss = LogProbs.tokenLogProbs(model, x, mask).mul(c).sum();
                loss.getFloat();
                long t1 = System.nanoTime();
                model.backward(gc, loss);
                model.parameters().get("model.norm.weight").getGradient().getFloat(0);
                return new double[] {(t1 - t0) / 1e9, (System.nanoTime() - t1) / 1e9};
            }
        }
    }

    /**
     * Self time by op name: events are nested per thread (the forward's JNI calls on the caller's thread, the
     * backward's nodes on the autograd engine's), and an op's self time is its duration minus its direct children's.
     */
    private static void printSelfTimes(ProfilerTrace trace) {
        Map<String, List<ProfilerTrace.Event>> byThread = new HashMap<>();
        for (ProfilerTrace.Event e : trace.events()) byThread.computeIfAbsent(e.thread(), k -> new ArrayList<>()).add(e);
        Map<String, double[]> self = new HashMap<>(); // name -> {calls, self us}
        double total = 0;
        for (List<ProfilerTrace.Event> spans : byThread.values()) {
            spans.sort((a, b) -> a.startUs() != b.startUs() ? Double.compare(a.startUs(), b.startUs())
                    : Double.compare(b.durationUs(), a.durationUs()));
            List<double[]> stack = new ArrayList<>(); // {end, index into spans of the enclosing op}
            double[] selfOf = new double[spans.size()];
            for (int i = 0; i < spans.size(); i++) {
                ProfilerTrace.Event sp = spans.get(i);
                while (!stack.isEmpty() && stack.get(stack.size() - 1)[0] <= sp.startUs()) stack.remove(stack.size() - 1);
                selfOf[i] = sp.durationUs();
                if (!stack.isEmpty()) selfOf[(int) stack.get(stack.size() - 1)[1]] -= sp.durationUs();
                stack.add(new double[] {sp.startUs() + sp.durationUs(), i});
            }
            for (int i = 0; i < spans.size(); i++) {
                double[] a = self.computeIfAbsent(spans.get(i).name(), k -> new double[2]);
                a[0]++;
                a[1] += selfOf[i];
                total += selfOf[i];
            }
        }
        List<Map.Entry<String, double[]>> sorted = new ArrayList<>(self.entrySet());
        sorted.sort((a, b) -> Double.compare(b.getValue()[1], a.getValue()[1]));
        double mm = 0;
        for (Map.Entry<String, double[]> e : sorted) {
            String n = e.getKey();
            if (n.contains("mm") || n.contains("matmul") || n.contains("linear") || n.contains("bmm")) mm += e.getValue()[1];
        }
        System.out.printf(Locale.ROOT, "profiled micro-batch: %.1f s wall (profiler on); self time in ops %.1f s over "
                + "all threads; matrix-multiply ops (mm, addmm, bmm, matmul, linear) %.1f s = %.2f of it; by op (self):%n",
                trace.wallMs() / 1e3, total / 1e6, mm / 1e6, mm / total);
        for (Map.Entry<String, double[]> e : sorted.subList(0, Math.min(30, sorted.size()))) {
            System.out.printf(Locale.ROOT, "  %-44s %6.0f calls %9.3f s  %5.1f%%%n", e.getKey(), e.getValue()[0],
                    e.getValue()[1] / 1e6, 100 * e.getValue()[1] / total);
        }
    }

    /** AdamW over every parameter (gradients present): reads p, g, m, v and writes p, m, v, 7 x 4 bytes each. */
    private static void optimizerStep(Transformer model, double bandwidth) {
        try (AdamW opt = new AdamW(model.parameters(), AdamW.Config.defaults(0.01))) {
            for (int rep = 0; rep < 2; rep++) {
                long t0 = System.nanoTime();
                opt.step(1e-6);
                double s = (System.nanoTime() - t0) / 1e9;
                double bytes = 7.0 * 4 * model.parameterCount();
                System.out.printf(Locale.ROOT, "AdamW step: %.2f s for %.1f GB of reads and writes: %.1f GB/s, %.1fx one "
                        + "pass at the read bandwidth%n", s, bytes / 1e9, bytes / s / 1e9, s / (bytes / bandwidth));
            }
        }
    }
}

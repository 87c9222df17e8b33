package dev.r1j.examples;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.pytorch.jni.JniUtils;
import dev.r1j.core.Djl;
import dev.r1j.core.model.KVCache;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.model.Transformer;
import dev.r1j.rollout.NextToken;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Where one decode step of Qwen2.5-0.5B's shape goes (issue 12: "decode step within 2x of the memory-bandwidth
 * bound"). One KV-cached forward of one token for {@code bench.rows} [8] rows over a cache of {@code bench.context}
 * [200] positions, against, in the same JVM: the bound (bytes of weights / read bandwidth measured now), a naive
 * reference (the same weights' projections and LM head as bare DJL {@code linear} calls, no attention, no norms),
 * the LM head alone, copying the logits to Java, and the Java-side sampling (temperature 1: softmax over the
 * vocabulary plus the behaviour log-prob, per row, now and as it was before: a separate log-softmax pass, and a sort of
 * the whole vocabulary for top-k/top-p). The model parts at 1, then at 2 intra-op threads; medians of
 * {@code bench.steps} [8], wall and process CPU time. With {@code bench.profile=true} one step also runs under
 * PyTorch's profiler: its top-level ops (the JNI calls) by name, count and time, and the time between them.
 *
 * <pre>
 * mvn -B -o -Pbench -pl examples -am test -Dtest=DecodeStepBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dbench.layers=24 "-Dsurefire.argLine=-Xmx2g -XX:MaxDirectMemorySize=4g"
 * </pre>
 */
class DecodeStepBenchmark {
    private static final int VOCAB = 151_936;

    @Test
    void oneDecodeStepAtHalfABillionParametersShape() throws IOException {
        int layers = Integer.getInteger("bench.layers", 24);
        int rows = Integer.getInteger("bench.rows", 8);
        int context = Integer.getInteger("bench.context", 200);
        int steps = Integer.getInteger("bench.steps", 8);
        ModelConfig config = new ModelConfig("qwen2", VOCAB, 896, 4864, layers, 14, 2, 64, 32768, 1e-6, 1000000.0,
                null, true, false, false, null, List.of(), null, "float32", null);
        Djl.engine();
        double bandwidth = MachineCeilings.memoryBandwidth();
        System.out.printf(Locale.ROOT, "DecodeStepBenchmark: %d layers, %d rows, cache %d positions; read bandwidth "
                + "%.1f GB/s; load average %.2f%n", layers, rows, context, bandwidth / 1e9, load());
        try (NDManager root = Djl.newManager(); Transformer model = Transformer.create(config, root, 1)) {
            System.gc();
            double boundMs = model.parameterCount() * 4.0 / bandwidth * 1e3;
            double headBoundMs = (double) VOCAB * 896 * 4 / bandwidth * 1e3;
            Map<String, NDArray> w = model.parameters();
            Djl.withoutGradients(() -> {
                try (NDManager m = root.newSubManager()) {
                    KVCache cache = model.newCache(rows, context + 4 * steps + 4);
                    // prefill the cache with `context` positions
                    long[] ids = new long[rows * context];
                    for (int i = 0; i < ids.length; i++) ids[i] = 3 + i % 50;
                    try (NDManager p = m.newSubManager()) {
                        model.forwardLast(p.create(ids, new Shape(rows, context)),
                                p.ones(new Shape(rows, context), DataType.INT64), cache).toFloatArray();
                    }
                    NDArray x = m.randomNormal(new Shape(rows, 1, 896));
                    NDArray xi = m.randomNormal(new Shape(rows, 1, 4864));
                    Supplier<float[]> step = () -> {
                        try (NDManager s = m.newSubManager()) {
                            long[] next = new long[rows];
                            Arrays.fill(next, 7);
                            int len = cache.length() + 1;
                            return model.forwardLast(s.create(next, new Shape(rows, 1)),
                                    s.ones(new Shape(rows, len), DataType.INT64), cache).toFloatArray();
                        }
                    };
                    Supplier<float[]> naive = () -> {
                        try (NDManager s = m.newSubManager()) {
                            NDArray acc = null;
                            for (int l = 0; l < layers; l++) {
                                String pre = "model.layers." + l + ".";
                                for (String proj : List.of("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj",
                                        "self_attn.o_proj", "mlp.gate_proj", "mlp.up_proj")) {
                                    acc = Linear.linear(x, w.get(pre + proj + ".weight")).singletonOrThrow();
                                }
                                acc = Linear.linear(xi, w.get(pre + "mlp.down_proj.weight")).singletonOrThrow();
                            }
                            NDArray logits = Linear.linear(x, w.get("model.embed_tokens.weight")).singletonOrThrow();
                            acc.getFloat(0, 0, 0);
                            return logits.toFloatArray();
                        }
                    };
                    Supplier<float[]> head = () -> {
                        try (NDManager s = m.newSubManager()) {
                            return Linear.linear(x.reshape(rows, 896), w.get("model.embed_tokens.weight"))
                                    .singletonOrThrow().toFloatArray();
                        }
                    };
                    step.get(); // warm-up
                    float[] logits = step.get();
                    int startThreads = JniUtils.getNumThreads();
                    System.out.printf(Locale.ROOT, "PyTorch intra-op threads at start: %d, inter-op %d%n", startThreads,
                            JniUtils.getNumInteropThreads());
                    for (int threads : new int[] {1, 2}) {
                        JniUtils.setNumThreads(threads);
                        step.get();
                        naive.get();
                        double[] stepMs = time(step, steps);
                        double[] naiveMs = time(naive, steps);
                        double[] headMs = time(head, steps);
                        double copyMs;
                        try (NDManager s = m.newSubManager()) {
                            NDArray z = s.zeros(new Shape(rows, VOCAB));
                            z.toFloatArray();
                            long t = System.nanoTime();
                            for (int i = 0; i < steps; i++) z.toFloatArray();
                            copyMs = (System.nanoTime() - t) / 1e6 / steps;
                        }
                        System.out.printf(Locale.ROOT, "%d thread(s): decode step %.1f ms wall (%.1f ms CPU) = %.2fx the "
                                + "%.1f ms bound; naive linear chain %.1f ms (%.2fx the bound); step / naive %.2f; LM head "
                                + "alone %.1f ms (its bound %.1f ms); [rows, vocab] logits to Java %.2f ms; load %.2f%n", threads, stepMs[0], stepMs[1],
                                stepMs[0] / boundMs, boundMs, naiveMs[0], naiveMs[0] / boundMs, stepMs[0] / naiveMs[0],
                                headMs[0], headBoundMs, copyMs, load());
                    }
                    JniUtils.setNumThreads(startThreads);
                    // Java-side token choice: DecodeBatch.pick's NextToken.choose, against what it did before in
                    // the same run (sample, then a separate log-softmax pass; top-k/top-p sorted the whole vocabulary)
                    SplittableRandom rng = new SplittableRandom(1);
                    float[] l = logits;
                    double[][] settings = {{1.0, 0}, {0.95, 0}, {0.95, 50}};
                    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "Java token choice for %d rows:", rows));
                    for (double[] set : settings) {
                        double topP = set[0];
                        int topK = (int) set[1];
                        double[] now = time(() -> {
                            for (int r = 0; r < rows; r++) NextToken.choose(l, r * VOCAB, VOCAB, 1.0, topP, topK, rng);
                            return l;
                        }, steps);
                        double[] before = time(() -> {
                            for (int r = 0; r < rows; r++) {
                                if (topP < 1 || topK > 0) fullSort(l, r * VOCAB);
                                int tok = NextToken.sample(l, r * VOCAB, VOCAB, 1.0, 1.0, 0, rng);
                                NextToken.logSoftmaxAt(l, r * VOCAB, VOCAB, tok, 1.0);
                            }
                            return l;
                        }, steps);
                        line.append(String.format(Locale.ROOT, " top-p %.2f top-k %d: %.1f ms (before: %.1f ms);", topP,
                                topK, now[0], before[0]));
                    }
                    System.out.println(line + String.format(Locale.ROOT, " load %.2f", load()));
                    if (Boolean.getBoolean("bench.profile")) profile(step);
                    cache.close();
                }
                return null;
            });
        }
    }

    /**
     * One step under PyTorch's profiler (its legacy trace: an array of complete events). Top-level ops (not nested in
     * another op) are the calls DJL made through JNI; they are summed by name, and their total is set against the
     * step's wall time: the difference is Java, JNI and DJL bookkeeping between ops.
     */
    private static void profile(Supplier<float[]> step) {
        ProfilerTrace trace = ProfilerTrace.of(step::get);
        List<ProfilerTrace.Event> spans = new ArrayList<>(trace.events());
        spans.sort((a, b) -> a.startUs() != b.startUs() ? Double.compare(a.startUs(), b.startUs())
                : Double.compare(b.durationUs(), a.durationUs()));
        Map<String, double[]> byName = new TreeMap<>();
        double end = Double.NEGATIVE_INFINITY;
        double inTorch = 0;
        int calls = 0;
        for (ProfilerTrace.Event sp : spans) {
            if (sp.startUs() < end) continue; // nested in the current top-level op
            end = sp.startUs() + sp.durationUs();
            inTorch += sp.durationUs();
            calls++;
            double[] a = byName.computeIfAbsent(sp.name(), k -> new double[2]);
            a[0]++;
            a[1] += sp.durationUs();
        }
        List<Map.Entry<String, double[]>> sorted = new ArrayList<>(byName.entrySet());
        sorted.sort((a, b) -> Double.compare(b.getValue()[1], a.getValue()[1]));
        System.out.printf(Locale.ROOT, "profiled step: %.1f ms wall (profiler on), %d top-level ops taking %.1f ms "
                + "in PyTorch, %.1f ms between them; by op:%n", trace.wallMs(), calls, inTorch / 1e3,
                trace.wallMs() - inTorch / 1e3);
        for (Map.Entry<String, double[]> e : sorted.subList(0, Math.min(20, sorted.size()))) {
            System.out.printf(Locale.ROOT, "  %-32s %5.0f calls %8.2f ms%n", e.getKey(), e.getValue()[0],
                    e.getValue()[1] / 1e3);
        }
    }

    /** The sort of all (logit, id) keys of a row that top-k/top-p sampling did before (the old cost's bulk). */
    private static void fullSort(float[] logits, int offset) {
        long[] keys = new long[VOCAB];
        for (int v = 0; v < VOCAB; v++) {
            int bits = Float.floatToIntBits(logits[offset + v]);
            keys[v] = ((long) ~(bits ^ ((bits >> 31) & 0x7fffffff)) << 32) | v;
        }
        Arrays.sort(keys);
    }

    /** Median wall ms and median process CPU ms of {@code n} runs. */
    private static double[] time(Supplier<float[]> body, int n) {
        double[] wall = new double[n];
        double[] cpu = new double[n];
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (int i = 0; i < n; i++) {
            long c = os.getProcessCpuTime();
            long t = System.nanoTime();
            body.get();
            wall[i] = (System.nanoTime() - t) / 1e6;
            cpu[i] = (os.getProcessCpuTime() - c) / 1e6;
        }
        Arrays.sort(wall);
        Arrays.sort(cpu);
        return new double[] {wall[n / 2], cpu[n / 2]};
    }

    private static double load() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

}

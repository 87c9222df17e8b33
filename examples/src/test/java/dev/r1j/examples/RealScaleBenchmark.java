package dev.r1j.examples;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1j.core.Djl;
import dev.r1j.core.grpo.GrpoConfig;
import dev.r1j.core.sampling.Prompt;
import dev.r1j.core.grpo.GrpoStepMetrics;
import dev.r1j.core.grpo.GrpoTrainer;
import dev.r1j.core.grpo.LossType;
import dev.r1j.core.grpo.PromptSource;
import dev.r1j.core.grpo.ScoredCompletion;
import dev.r1j.core.io.Weights;
import dev.r1j.core.model.CausalLM;
import dev.r1j.core.model.LoraAdapters;
import dev.r1j.core.model.OffloadedModel;
import dev.r1j.core.model.LoraConfig;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.model.Transformer;
import dev.r1j.core.tokenizer.CharTokenizer;
import dev.r1j.core.tokenizer.Tokenizer;
import dev.r1j.rollout.DecodeStats;
import dev.r1j.rollout.LocalSampler;
import dev.r1j.verifiers.Verifier;
import dev.r1j.verifiers.VerifierRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import dev.r1j.core.sampling.SamplingParams;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * One GRPO step at Qwen2.5-0.5B's exact shape (qwen2, hidden 896, 24 layers, 14/2 heads, intermediate 4864, vocab
 * 151,936, tied embeddings; random F32 weights built here, nothing downloaded), issue 12's settings: 2 GSM8K prompts
 * x 4 completions x 64 new tokens, beta 0.04. Prints peak RSS, step time and its split, generation tokens/s, the
 * update's GFLOP/s as a fraction of a GEMM ceiling measured in the same run, and the decode step time against the
 * bound bytes-of-weights / measured memory bandwidth.
 *
 * <p>One training mode per JVM, so the peak RSS is that mode's ({@code bench.mode}): {@code full} (full
 * fine-tuning, a separate reference copy), {@code full-gc} (the same with gradient checkpointing), {@code lora}
 * (LoRA r=16, alpha 32 on all linear projections, with checkpointing; the reference is the base with adapters off).
 * {@code bench.refOffload=true} (full modes): the reference is offloaded (reference_offload), reread from a
 * safetensors copy of the start weights for its pass.
 * Other settings: {@code bench.ga} (micro-batches; default 8 for full, whose activations are otherwise too large,
 * 2 otherwise), {@code bench.gc} (checkpointing, default on except for full), {@code bench.layers} [24], {@code bench.maxNewTokens} [64], {@code bench.prompts} [2], {@code bench.group} [4], {@code bench.threads} [PyTorch's], {@code bench.steps} [1] (steps run; the figures below the
 * per-step lines are the last step's).
 *
 * <pre>
 * mvn -B -o -Pbench -pl examples -am test -Dtest=RealScaleBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dbench.mode=lora -Dsurefire.argLine=-Xmx1500m
 * </pre>
 */
class RealScaleBenchmark {
    private static final int VOCAB = 151_936;

    private static int intProp(String k, int d) {
        return Integer.getInteger("bench." + k, d);
    }

    /**
     * Runs {@code bench.mode}'s step outside Maven, from a private copy of the classes (so that rebuilding the
     * worktree cannot break a long run): {@code java -cp <copy> -Dbench.mode=full-gc dev.r1j.examples.RealScaleBenchmark}.
     */
    public static void main(String[] args) throws IOException {
        RealScaleBenchmark b = new RealScaleBenchmark();
        if (System.getProperty("bench.mode", "lora").equals("generate")) b.generationWithAShortAndAGsm8kPrompt();
        else b.oneGrpoStepAtHalfABillionParameters();
    }

    @Test
    void oneGrpoStepAtHalfABillionParameters() throws IOException {
        String mode = System.getProperty("bench.mode", "lora");
        Assumptions.assumeFalse(mode.equals("generate"), "bench.mode=generate runs the prompt-length comparison");
        boolean lora = mode.equals("lora");
        boolean refOffload = Boolean.getBoolean("bench.refOffload") && !lora;
        int ga = intProp("ga", mode.equals("full") ? 8 : 2);
        boolean gc = Boolean.parseBoolean(System.getProperty("bench.gc", Boolean.toString(!mode.equals("full"))));
        int layers = intProp("layers", 24);
        int maxNew = intProp("maxNewTokens", 64);
        if (Integer.getInteger("bench.threads") != null) {
            ai.djl.pytorch.jni.JniUtils.setNumInteropThreads(1);
            ai.djl.pytorch.jni.JniUtils.setNumThreads(Integer.getInteger("bench.threads"));
        }
        System.out.printf(Locale.ROOT, "RealScaleBenchmark: mode %s, gradient checkpointing %s, reference_offload %s, "
                + "%d micro-batches, %d layers, %s prompts x %s completions x %d new tokens; %d cores, load average "
                + "%.2f%n", mode, gc, refOffload, ga,
                layers, Integer.getInteger("bench.prompts", 2), Integer.getInteger("bench.group", 4), maxNew,
                Runtime.getRuntime().availableProcessors(), ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());

        double gemm = MachineCeilings.gemmRate();
        double bandwidth = MachineCeilings.memoryBandwidth();
        System.out.printf(Locale.ROOT, "ceilings measured now: GEMM %.1f GFLOP/s (best of [2048,896]x[896,4864] and "
                + "2048^3), memory read %.1f GB/s (sum over 1 GB)%n", gemm / 1e9, bandwidth / 1e9);
        resetPeak();

        int numPrompts = intProp("prompts", 2);
        int group = intProp("group", 4);
        List<Prompt> prompts = gsm8k(numPrompts);
        Tokenizer tok = new PaddedVocabulary(new CharTokenizer(alphabet(prompts), null), VOCAB);
        ModelConfig config = new ModelConfig("qwen2", VOCAB, 896, 4864, layers, 14, 2, 64, 32768, 1e-6, 1000000.0,
                null, true, false, false, null, List.of(), null, "float32", null);
        Verifier reward = VerifierRegistry.defaultRegistry().create("math", Map.of());
        GrpoConfig cfg = GrpoConfig.builder().groupSize(group).promptsPerStep(numPrompts).maxNewTokens(maxNew).temperature(1.0)
                .beta(0.04).lossType(LossType.DAPO).clip(0.2, 0.28).learningRate(1e-6).gradientAccumulationSteps(ga)
                .steps(1).seed(3).build();

        long t0 = System.nanoTime();
        try (NDManager root = Djl.newManager(); Transformer policy = Transformer.create(config, root, 1)) {
            CausalLM reference;
            LoraAdapters adapters = null;
            if (lora) {
                adapters = LoraAdapters.create(policy, new LoraConfig(16, 32, 0, List.of(LoraConfig.ALL_LINEAR), false), 2);
                policy.setAdapters(adapters);
                reference = policy.withoutAdapters();
            } else if (refOffload) {
                // reference_offload: the reference (the start weights, here the policy's before the step) is reread
                // from its safetensors for its pass and freed before the update
                Path dir = Files.createTempDirectory("realscale-reference");
                dir.toFile().deleteOnExit();
                long w0 = System.nanoTime();
                for (Path f : Weights.write(dir, policy.parameters())) f.toFile().deleteOnExit();
                System.out.printf(Locale.ROOT, "reference_offload: start weights written to %s in %.1f s%n", dir,
                        (System.nanoTime() - w0) / 1e9);
                reference = new OffloadedModel(config, () -> {
                    long r0 = System.nanoTime();
                    try (NDManager reading = root.newSubManager()) {
                        Transformer t = Transformer.fromParameters(config, root, Weights.read(dir, reading));
                        System.out.printf(Locale.ROOT, "reference_offload: reference read in %.1f s%n",
                                (System.nanoTime() - r0) / 1e9);
                        return t;
                    }
                });
            } else {
                reference = Transformer.create(config, root, 1);
            }
            policy.setGradientCheckpointing(gc);
            double buildPeak = rss("VmHWM");
            // the random init goes through Java float[]s (the embedding alone is 0.54 GB): give that heap back, so
            // that the peak below is the training step's, as after loading a checkpoint
            System.gc();
            resetPeak();
            long direct = ManagementFactory.getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class).stream()
                    .filter(p -> p.getName().equals("direct")).mapToLong(java.lang.management.BufferPoolMXBean::getMemoryUsed)
                    .sum();
            System.out.printf(Locale.ROOT, "JVM after the GC: heap committed %.2f GB (used %.2f GB), direct buffers "
                    + "%.2f GB (DJL keeps arrays made from Java data in them)%n", Runtime.getRuntime().totalMemory() / 1e9,
                    (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) / 1e9, direct / 1e9);
            System.out.printf(Locale.ROOT, "model built in %.1f s: %,d parameters (%.2f GB F32)%s; peak RSS while "
                    + "building %.2f GB, RSS after a GC %.2f GB%n",
                    (System.nanoTime() - t0) / 1e9, policy.parameterCount(), policy.parameterCount() * 4 / 1e9,
                    lora ? String.format(Locale.ROOT, ", LoRA %,d trainable", adapters.parameters().values().stream()
                            .mapToLong(a -> a.getShape().size()).sum()) : "", buildPeak / 1e9, rss("VmRSS") / 1e9);
            LocalSampler sampler = new LocalSampler(policy, tok);
            try (GrpoTrainer trainer = new GrpoTrainer(policy, reference, sampler, reward, cfg)) {
                // bench.steps [1]: from the second step on the state is the steady one (the previous update's
                // gradients, AdamW's moments); each step's own peak is printed
                int steps = intProp("steps", 1);
                PromptSource source = new PromptSource(prompts, 3);
                for (int step = 1; step <= steps; step++) {
                    if (step > 1) resetPeak();
                    long s0 = System.nanoTime();
                    RssTrace trace = new RssTrace(s0);
                    GrpoStepMetrics m;
                    try {
                        m = trainer.step(source);
                    } finally {
                        trace.stop();
                    }
                    double stepS = (System.nanoTime() - s0) / 1e9;
                    trace.print(m, stepS);
                    System.out.printf(Locale.ROOT, "STEP %d of %d: %.1f s, peak RSS %.2f GB%n", step, steps, stepS,
                            rss("VmHWM") / 1e9);
                    DecodeStats d = sampler.lastStats();
                    List<ScoredCompletion> done = trainer.lastCompletions();
                    int rows = done.size();
                    int promptWidth = done.stream().mapToInt(s -> s.promptTokenIds().length).max().orElseThrow();
                    int completionWidth = done.stream().mapToInt(s -> s.completion().tokenIds().length).max().orElseThrow();
                    int width = promptWidth + completionWidth;
                    // model FLOPs of the update (forward + backward; LoRA's backward needs no base-weight gradients: 2/3)
                    double flops = policy.trainingFlopsPerToken(width) * rows * width * (lora ? 2.0 / 3 : 1.0);
                    double decodeMs = d.forwardNanos() / 1e6 / Math.max(1, d.steps());
                    double boundMs = policy.parameterCount() * 4.0 / bandwidth * 1e3;
                    System.out.printf(Locale.ROOT, "step %.1f s: generation %.1f s, log-probs (reference%s) %.1f s, update "
                            + "%.1f s, reward %.2f s%n", stepS, m.generationS(), cfg.numIterations() > 1 ? " + old" : "",
                            m.logprobS(), m.updateS(), m.rewardS());
                    System.out.printf(Locale.ROOT, "generation: %d tokens, %.2f tokens/s; prompts %d tokens wide; prefill "
                            + "%.1f s; decode step %.0f ms for %.1f live rows on average vs %.0f ms to read the weights "
                            + "once at the measured bandwidth (%.2fx the bound)%n", m.completionTokens(),
                            m.completionTokens() / m.generationS(), promptWidth, d.prefillNanos() / 1e9, decodeMs,
                            (double) d.rowSteps() / Math.max(1, d.steps()), boundMs, decodeMs / boundMs);
                    System.out.printf(Locale.ROOT, "update: %d rows x %d tokens, %.2f TFLOP (model FLOPs%s) in %.1f s = "
                            + "%.1f GFLOP/s, %.2f of the GEMM ceiling%n", rows, width, flops / 1e12,
                            gc ? "; the recomputed forward is extra work not counted" : "", m.updateS(),
                            flops / m.updateS() / 1e9, flops / m.updateS() / gemm);
                    if (gc) {
                        // checkpointing runs the layers' forward again in backward, and the LM head once more (its
                        // no-grad pass plus its recomputation in backward): 2 FLOPs per weight per token each
                        double layerWeights = policy.parameterCount() - (double) VOCAB * 896;
                        double executed = flops + 2.0 * (layerWeights + (double) VOCAB * 896) * rows * width;
                        System.out.printf(Locale.ROOT, "update incl. the recomputed layers and LM head: %.2f TFLOP = %.1f "
                                + "GFLOP/s, %.2f of the GEMM ceiling%n", executed / 1e12, executed / m.updateS() / 1e9,
                                executed / m.updateS() / gemm);
                    }
                    System.out.printf(Locale.ROOT, "loss %.4f, kl %.2e, grad norm %.3f, reward mean %.2f%n", m.loss(),
                            m.kl(), m.gradNorm(), m.rewardMean());
                }
                double gemmAfter = MachineCeilings.gemmRate();
                System.out.printf(Locale.ROOT, "GEMM ceiling measured again after the steps: %.1f GFLOP/s (at the start "
                        + "%.1f)%n", gemmAfter / 1e9, gemm / 1e9);
            }
            if (adapters != null) {
                policy.setAdapters(null);
                adapters.close();
            }
            if (!lora) reference.close();
        }
        System.out.printf(Locale.ROOT, "PEAK RSS (%s): %.2f GB (VmHWM of the step, counted from after the model build; load average now %.2f)%n",
                mode, rss("VmHWM") / 1e9, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.out.printf(Locale.ROOT, "process CPU time %.0f s over %.0f s of wall time%n",
                ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                        .getProcessCpuTime() / 1e9, (System.nanoTime() - t0) / 1e9);
    }

    /**
     * {@code bench.mode=generate}: is generation with a GSM8K question (about 170 character tokens) several times
     * slower than with a short prompt? The same model, {@code bench.group} [4] samples x {@code bench.maxNewTokens}
     * [32] new tokens of one prompt, each case after a warm-up run; prints prefill and decode time separately, the
     * decode step against the bound bytes-of-weights / bandwidth, and the prefill's GFLOP/s against the GEMM ceiling.
     */
    @Test
    void generationWithAShortAndAGsm8kPrompt() throws IOException {
        Assumptions.assumeTrue(System.getProperty("bench.mode", "lora").equals("generate"), "bench.mode=generate only");
        int layers = intProp("layers", 24);
        int group = intProp("group", 4);
        int maxNew = intProp("maxNewTokens", 32);
        double gemm = MachineCeilings.gemmRate();
        double bandwidth = MachineCeilings.memoryBandwidth();
        List<Prompt> gsm = gsm8k(1);
        String shortPrompt = "Question: 12+7=?\nAnswer:";
        Tokenizer tok = new PaddedVocabulary(new CharTokenizer(alphabet(gsm), null), VOCAB);
        ModelConfig config = new ModelConfig("qwen2", VOCAB, 896, 4864, layers, 14, 2, 64, 32768, 1e-6, 1000000.0,
                null, true, false, false, null, List.of(), null, "float32", null);
        System.out.printf(Locale.ROOT, "RealScaleBenchmark generate: %d layers, %d samples x %d new tokens; GEMM %.1f "
                + "GFLOP/s, memory read %.1f GB/s; load average %.2f%n", layers, group, maxNew, gemm / 1e9, bandwidth / 1e9,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        try (NDManager root = Djl.newManager(); Transformer model = Transformer.create(config, root, 1)) {
            LocalSampler sampler = new LocalSampler(model, tok);
            double boundMs = model.parameterCount() * 4.0 / bandwidth * 1e3;
            double[] seconds = new double[2];
            String[] names = {"short", "gsm8k"};
            String[] texts = {shortPrompt, gsm.get(0).prompt()};
            for (int c = 0; c < 2; c++) {
                SamplingParams params = new SamplingParams(group, maxNew, 1.0, 1.0, 0, List.of(), 7);
                sampler.sample(List.of(texts[c]), params); // warm-up
                long t = System.nanoTime();
                sampler.sample(List.of(texts[c]), params);
                seconds[c] = (System.nanoTime() - t) / 1e9;
                DecodeStats d = sampler.lastStats();
                int promptTokens = sampler.encodePrompt(texts[c]).length;
                double prefillFlops = 2.0 * (model.parameterCount() - (double) VOCAB * 896) * promptTokens;
                double stepMs = d.forwardNanos() / 1e6 / Math.max(1, d.steps());
                System.out.printf(Locale.ROOT, "%s prompt, %d tokens: %.2f s for %d tokens (%.2f tokens/s); prefill %.2f s"
                        + " (%.1f GFLOP/s, %.2f of GEMM); %d decode steps of %.0f ms (%.2fx the %.0f ms bound)%n", names[c],
                        promptTokens, seconds[c], d.generatedTokens(), d.generatedTokens() / seconds[c],
                        d.prefillNanos() / 1e9, prefillFlops / (d.prefillNanos() / 1e9) / 1e9,
                        prefillFlops / (d.prefillNanos() / 1e9) / gemm, d.steps(), stepMs, stepMs / boundMs, boundMs);
            }
            System.out.printf(Locale.ROOT, "gsm8k / short: %.2fx the time; load average now %.2f%n", seconds[1] / seconds[0],
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }



    private static List<Prompt> gsm8k(int n) throws IOException {
        Path file = Path.of(System.getProperty("user.dir")).resolve("../data/benchmarks/gsm8k_test.jsonl").normalize();
        ObjectMapper json = new ObjectMapper();
        List<Prompt> out = new ArrayList<>();
        for (String line : Files.readAllLines(file).subList(0, n)) {
            JsonNode row = json.readTree(line);
            String answer = row.get("answer").asText();
            out.add(new Prompt("Question: " + row.get("question").asText() + "\nAnswer:",
                    Map.of("answer", answer.substring(answer.lastIndexOf("####") + 4).trim())));
        }
        return out;
    }

    private static String alphabet(List<Prompt> prompts) {
        TreeSet<Integer> cps = new TreeSet<>();
        "0123456789 .,+-*/=()$%\n<>abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".codePoints().forEach(cps::add);
        for (Prompt p : prompts) p.prompt().codePoints().forEach(cps::add);
        StringBuilder b = new StringBuilder();
        cps.forEach(b::appendCodePoint);
        return b.toString();
    }

    /**
     * RSS sampled every 50 ms on a daemon thread during the step, and printed per phase of the step (generation,
     * reward, reference/old log-probs, update in tenths of its time: the micro-batches' forward/backward and the
     * optimizer step at the end), so that the peak can be attributed. Phase boundaries come from the step's own
     * timings, in the trainer's order.
     */
    private static final class RssTrace {
        private final long start;
        private final List<long[]> samples = java.util.Collections.synchronizedList(new ArrayList<>());
        private volatile boolean running = true;
        private final Thread thread;

        RssTrace(long start) {
            this.start = start;
            thread = new Thread(() -> {
                long nextPrint = 0;
                double peak = 0;
                while (running) {
                    try {
                        long t = System.nanoTime() - start;
                        double r = rss("VmRSS");
                        samples.add(new long[] {t, (long) r});
                        peak = Math.max(peak, r);
                        if (t >= nextPrint) { // progress, so that a run stopped early still says where it was
                            System.out.printf(Locale.ROOT, "  [%5.0f s] RSS %.2f GB, peak so far %.2f GB%n", t / 1e9,
                                    r / 1e9, peak / 1e9);
                            nextPrint = t + 60_000_000_000L;
                        }
                        Thread.sleep(50);
                    } catch (IOException | InterruptedException e) {
                        return;
                    }
                }
            }, "rss-trace");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() {
            running = false;
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void print(GrpoStepMetrics m, double stepS) {
            double gen = m.generationS(), rew = gen + m.rewardS(), lp = rew + m.logprobS(), upd = lp + m.updateS();
            StringBuilder b = new StringBuilder("RSS by phase (GB, first / peak):");
            window(b, "generation", 0, gen);
            window(b, "reward", gen, rew);
            window(b, "ref/old log-probs", rew, lp);
            for (int i = 0; i < 10; i++) {
                window(b, "update " + (i * 10) + "-" + (i * 10 + 10) + "%", lp + (upd - lp) * i / 10, lp + (upd - lp) * (i + 1) / 10);
            }
            window(b, "after", upd, stepS);
            System.out.println(b);
        }

        private void window(StringBuilder b, String name, double from, double to) {
            double first = Double.NaN, peak = 0;
            synchronized (samples) {
                for (long[] s : samples) {
                    double t = s[0] / 1e9;
                    if (t < from || t >= to) continue;
                    if (Double.isNaN(first)) first = s[1] / 1e9;
                    peak = Math.max(peak, s[1] / 1e9);
                }
            }
            if (!Double.isNaN(first)) b.append(String.format(Locale.ROOT, "%n  %-22s %5.2f / %5.2f", name, first, peak));
        }
    }

    /** Resets the kernel's peak-RSS counter (VmHWM) to the current RSS (Linux: write 5 to clear_refs). */
    private static void resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException e) {
            System.out.println("cannot reset the peak RSS counter: " + e.getMessage());
        }
    }

    private static double rss(String field) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith(field + ":")) return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024.0;
        }
        return Double.NaN;
    }

    /**
     * A character tokenizer padded to the model's vocabulary: ids past its alphabet (which random weights do sample)
     * decode to a placeholder, as unused ids of a real vocabulary decode to something.
     */
    private record PaddedVocabulary(CharTokenizer chars, int size) implements Tokenizer {
        @Override
        public int[] encode(String text) {
            return chars.encode(text);
        }

        @Override
        public String decode(int[] ids) {
            StringBuilder b = new StringBuilder();
            for (int id : ids) b.append(id < chars.vocabSize() ? chars.decode(new int[] {id}) : "~");
            return b.toString();
        }

        @Override
        public int vocabSize() {
            return size;
        }

        @Override
        public int bosId() {
            return chars.bosId();
        }

        @Override
        public int eosId() {
            return chars.eosId();
        }

        @Override
        public int padId() {
            return chars.padId();
        }

        @Override
        public String applyChatTemplate(List<Map<String, String>> messages, boolean addGenerationPrompt) {
            return chars.applyChatTemplate(messages, addGenerationPrompt);
        }

        @Override
        public void save(Path dir) {
            throw new UnsupportedOperationException("the benchmark saves nothing");
        }
    }
}

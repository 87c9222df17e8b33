package dev.r1j.examples;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.r1j.core.Djl;
import dev.r1j.core.model.ExpertLoadBalancer;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.model.Transformer;
import dev.r1j.core.sampling.CompletionGroup;
import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.core.tokenizer.CharTokenizer;
import dev.r1j.core.train.TokenSequence;
import dev.r1j.rollout.LocalSampler;
import dev.r1j.sft.LmTrainer;
import dev.r1j.sft.LmTrainerConfig;
import dev.r1j.tasks.arith.ArithmeticTask;
import dev.r1j.tasks.arith.ArithmeticVocabulary;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A DeepSeek-V3-shaped toy (MLA, MoE with sigmoid routing) against a dense llama with the same number of parameters
 * active per token (the llama's MLP width is solved for), on the same data: training tokens/s (LmTrainer: forward,
 * backward, AdamW) and decoding tokens/s (LocalSampler, KV cache), as V3/llama ratios. The two are measured in
 * alternating rounds so the shared machine's load hits both alike; medians are reported with wall and CPU time, the
 * load average and the V3 toy's expert load on the training batch.
 *
 * <p>Settings (system properties, defaults in brackets): {@code bench.hidden} [128], {@code bench.layers} [4],
 * {@code bench.experts} [16], {@code bench.perToken} [2], {@code bench.moeWidth} [64], {@code bench.batch} [16],
 * {@code bench.seqLen} [64], {@code bench.trainSteps} [8], {@code bench.prompts} [8], {@code bench.groupSize} [8],
 * {@code bench.maxNewTokens} [64], {@code bench.rounds} [3].
 *
 * <pre>
 * mvn -B -o -Pbench -pl examples -am test -Dtest=MoeThroughputBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
class MoeThroughputBenchmark {
    private static int prop(String k, int d) {
        return Integer.getInteger("bench." + k, d);
    }

    private static double cpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }

    /** Parameters a token passes through: all but the routed experts it is not sent to. */
    static long activeParameters(ModelConfig c) {
        long n = 0;
        for (long[] shape : Transformer.expectedShapes(c).values()) n += Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        ModelConfig.DeepSeekV3 d = c.deepseek();
        if (d == null) return n;
        long perExpert = 3L * c.hiddenSize() * d.moeIntermediateSize();
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            if (c.isMoeLayer(i)) n -= (d.nRoutedExperts() - d.numExpertsPerTok()) * perExpert;
        }
        return n;
    }

    @Test
    void moeVersusDenseWithTheSameActiveParameters() {
        int hidden = prop("hidden", 128), layers = prop("layers", 4), batch = prop("batch", 16),
                seqLen = prop("seqLen", 64), trainSteps = prop("trainSteps", 8), rounds = prop("rounds", 3);
        CharTokenizer tok = ArithmeticVocabulary.tokenizer();
        ModelConfig.DeepSeekV3 ds = new ModelConfig.DeepSeekV3(prop("experts", 16), prop("perToken", 2), 1,
                prop("moeWidth", 64), 1, 1, 2.5, true, 4, 2, "sigmoid", "noaux_tc", 64, 32, 32, 16, 32, true);
        ModelConfig v3 = new ModelConfig("deepseek_v3", tok.vocabSize(), hidden, 4 * hidden, layers, 4, 4, 16, 512,
                1e-6, 10000.0, null, false, false, false, null, List.of(), null, "float32", ds);
        long active = activeParameters(v3);
        long base = activeParameters(ModelConfig.llama(tok.vocabSize(), hidden, 1, layers, 4, 4, 512)) - 3L * hidden * layers;
        int width = (int) Math.round((active - base) / (3.0 * hidden * layers));
        ModelConfig llama = ModelConfig.llama(tok.vocabSize(), hidden, width, layers, 4, 4, 512);
        System.out.printf(Locale.ROOT, "MoE throughput benchmark: deepseek_v3 hidden %d, %d layers (1 dense), %d routed "
                + "experts (top-%d, 1 shared, width %d), MLA; %,d active of %,d parameters | llama intermediate %d: %,d "
                + "parameters; %d cores, load %.2f%n", hidden, layers, ds.nRoutedExperts(), ds.numExpertsPerTok(),
                ds.moeIntermediateSize(), active, activeParameters(v3) + totalRoutedInactive(v3), width,
                activeParameters(llama), Runtime.getRuntime().availableProcessors(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());

        Random r = new Random(1);
        List<TokenSequence> data = new ArrayList<>();
        for (int i = 0; i < batch * (trainSteps + 2); i++) {
            int[] ids = new int[seqLen];
            for (int t = 0; t < seqLen; t++) ids[t] = 3 + r.nextInt(tok.vocabSize() - 3);
            data.add(TokenSequence.allTokens(ids));
        }
        List<String> prompts = new ArithmeticTask(ArithmeticTask.Config.defaults().withSizes(100, 50, 0, 0))
                .trainProblems().stream().limit(prop("prompts", 8)).map(dev.r1j.tasks.arith.Problem::prompt).toList();
        SamplingParams sampling = new SamplingParams(prop("groupSize", 8), prop("maxNewTokens", 64), 1.0, 1.0, 0,
                List.of(), 7);

        double[][] train = new double[2][rounds], trainCpu = new double[2][rounds];
        double[][] decode = new double[2][rounds], decodeCpu = new double[2][rounds];
        ModelConfig[] models = {v3, llama};
        double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        for (int round = 0; round < rounds; round++) {
            for (int mi = 0; mi < 2; mi++) {
                try (NDManager m = Djl.newManager(); Transformer model = Transformer.create(models[mi], m, 3)) {
                    LmTrainerConfig cfg = LmTrainerConfig.builder().steps(trainSteps + 1).batchSize(batch)
                            .maxLength(seqLen).learningRate(1e-3).warmupSteps(1).build();
                    double[] start = new double[2];
                    new LmTrainer(cfg).train(model, data, 0, s -> {
                        if (s.step() == 1) { // warm-up step untimed
                            start[0] = System.nanoTime() / 1e9;
                            start[1] = cpuSeconds();
                        }
                    });
                    double tokens = (double) trainSteps * batch * seqLen;
                    train[mi][round] = tokens / (System.nanoTime() / 1e9 - start[0]);
                    trainCpu[mi][round] = tokens / (cpuSeconds() - start[1]);

                    LocalSampler sampler = new LocalSampler(model, tok);
                    sampler.sample(prompts.subList(0, 1), new SamplingParams(1, 4, 1.0, 1.0, 0, List.of(), 1)); // warm-up
                    double w0 = System.nanoTime() / 1e9, c0 = cpuSeconds();
                    long generated = 0;
                    for (CompletionGroup g : sampler.sample(prompts, sampling)) {
                        for (var c : g.completions()) generated += c.tokenIds().length;
                    }
                    decode[mi][round] = generated / (System.nanoTime() / 1e9 - w0);
                    decodeCpu[mi][round] = generated / (cpuSeconds() - c0);
                }
            }
        }
        double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        System.out.printf(Locale.ROOT, "%-10s %14s %14s %14s %14s%n", "", "train tok/s", "train tok/cpu-s",
                "decode tok/s", "decode tok/cpu-s");
        for (int mi = 0; mi < 2; mi++) {
            System.out.printf(Locale.ROOT, "%-10s %14.0f %14.0f %14.0f %14.0f%n", models[mi].modelType(),
                    median(train[mi]), median(trainCpu[mi]), median(decode[mi]), median(decodeCpu[mi]));
        }
        System.out.printf(Locale.ROOT, "%-10s %14.2f %14.2f %14.2f %14.2f%n", "v3/llama", median(train[0]) / median(train[1]),
                median(trainCpu[0]) / median(trainCpu[1]), median(decode[0]) / median(decode[1]),
                median(decodeCpu[0]) / median(decodeCpu[1]));
        System.out.printf(Locale.ROOT, "load average %.2f before, %.2f after; medians of %d alternating rounds%n",
                loadBefore, loadAfter, rounds);
        reportExpertLoad(v3, data.subList(0, batch));
    }

    private static long totalRoutedInactive(ModelConfig c) {
        ModelConfig.DeepSeekV3 d = c.deepseek();
        long n = 0;
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            if (c.isMoeLayer(i)) n += (d.nRoutedExperts() - d.numExpertsPerTok()) * 3L * c.hiddenSize() * d.moeIntermediateSize();
        }
        return n;
    }

    /** Expert load of the (randomly initialised) V3 toy on one training batch, per MoE layer. */
    private static void reportExpertLoad(ModelConfig v3, List<TokenSequence> batch) {
        try (NDManager m = Djl.newManager(); Transformer model = Transformer.create(v3, m, 3);
                ExpertLoadBalancer observe = new ExpertLoadBalancer(model, 0, 0)) {
            model.setExpertRouting(observe);
            long[][] ids = batch.stream().map(s -> Arrays.stream(s.ids()).asLongStream().toArray()).toArray(long[][]::new);
            Djl.withoutGradients(() -> {
                NDArray logits = model.forward(m.create(ids), null, null);
                logits.close();
                return null;
            });
            Map<String, Double> metrics = observe.afterStep();
            System.out.println("expert load on the training batch (random init): " + metrics);
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}

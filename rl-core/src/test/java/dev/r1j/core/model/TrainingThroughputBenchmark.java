package dev.r1j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.r1j.core.Djl;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Training throughput (forward + backward through {@link LogProbs}) of a llama with hidden 256, 4 layers,
 * sequence 256, batch 16, as a ratio to this machine's matmul GFLOP/s measured in the same run. Not a test:
 * {@code mvn -B -Pbench -pl rl-core -am test -Dtest=TrainingThroughputBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 */
class TrainingThroughputBenchmark {
    static final int VOCAB = 512;
    static final int HIDDEN = 256;
    static final int LAYERS = 4;
    static final int HEADS = 4;
    static final int INTERMEDIATE = 688;
    static final int SEQ = 256;
    static final int BATCH = 16;

    /**
     * The machine is shared, so its speed drifts during a run: each round measures the matmul ceiling right before
     * one training step, and the ratio is taken per round; the median round is reported.
     */
    @Test
    void run() {
        try (NDManager root = Djl.newManager()) {
            ModelConfig config = ModelConfig.llama(VOCAB, HIDDEN, INTERMEDIATE, LAYERS, HEADS, HEADS, SEQ);
            try (Transformer model = Transformer.create(config, root, 1)) {
                double flopsPerToken = model.trainingFlopsPerToken(SEQ);
                System.out.printf("model: llama hidden %d, %d layers, %d heads, intermediate %d, vocab %d: %,d"
                        + " parameters, %.1f MFLOP per trained token (6N + attention), batch %d x seq %d%n", HIDDEN,
                        LAYERS, HEADS, INTERMEDIATE, VOCAB, model.parameterCount(), flopsPerToken / 1e6, BATCH, SEQ);
                Random r = new Random(0);
                long[] ids = new long[BATCH * SEQ];
                for (int i = 0; i < ids.length; i++) {
                    ids[i] = r.nextInt(VOCAB);
                }
                step(root, model, ids); // warm-up: allocator, first-call paths
                int rounds = 7;
                double[] ratio = new double[rounds];
                double[] tokensPerSecond = new double[rounds];
                for (int i = 0; i < rounds; i++) {
                    double square = matmulGflops(root, 1024, 1024, 1024, 4);
                    double tall = matmulGflops(root, BATCH * SEQ, HIDDEN, INTERMEDIATE, 8);
                    double ceiling = Math.max(square, tall);
                    double[] t = step(root, model, ids);
                    double seconds = t[0];
                    double gflops = flopsPerToken * BATCH * SEQ / seconds / 1e9;
                    ratio[i] = gflops / ceiling;
                    tokensPerSecond[i] = BATCH * SEQ / seconds;
                    System.out.printf("round %d: matmul 1024^3 %.1f, [4096,256]x[256,688] %.1f GFLOP/s;"
                            + " step %.3f s (forward %.3f s), %.0f tokens/s, %.1f GFLOP/s = %.2f of ceiling%n",
                            i, square, tall, seconds, t[1], tokensPerSecond[i], gflops, ratio[i]);
                }
                Arrays.sort(ratio);
                Arrays.sort(tokensPerSecond);
                System.out.printf("RESULT: median %.0f tokens/s, median ratio to matmul ceiling %.2f (min %.2f,"
                        + " max %.2f)%n", tokensPerSecond[rounds / 2], ratio[rounds / 2], ratio[0], ratio[rounds - 1]);
            }
        }
    }

    /** One forward + backward; returns {total seconds, forward seconds}. */
    private static double[] step(NDManager root, Transformer model, long[] ids) {
        try (NDManager step = root.newSubManager()) {
            NDArray idsNd = step.create(ids, new Shape(BATCH, SEQ));
            NDArray mask = step.ones(new Shape(BATCH, SEQ), DataType.INT64);
            long t0 = System.nanoTime();
            double forward;
            try (GradientCollector gc = Djl.engine().newGradientCollector()) {
                NDArray loss = LogProbs.tokenLogProbs(model, idsNd, mask).mean().neg();
                loss.getFloat();
                forward = (System.nanoTime() - t0) / 1e9;
                gc.backward(loss);
            }
            model.parameters().get("model.embed_tokens.weight").getGradient().getFloat(0, 0);
            return new double[] {(System.nanoTime() - t0) / 1e9, forward};
        }
    }

    private static double matmulGflops(NDManager root, int m, int k, int n, int reps) {
        try (NDManager s = root.newSubManager()) {
            NDArray a = s.randomNormal(new Shape(m, k));
            NDArray b = s.randomNormal(new Shape(k, n));
            a.matMul(b).close();
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                a.matMul(b).close();
            }
            double sec = (System.nanoTime() - t0) / 1e9;
            return 2.0 * m * k * n * reps / sec / 1e9;
        }
    }
}

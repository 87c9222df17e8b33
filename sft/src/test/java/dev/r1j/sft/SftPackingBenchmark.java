package dev.r1j.sft;

import ai.djl.ndarray.NDManager;
import dev.r1j.core.Djl;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.model.Transformer;
import dev.r1j.core.train.PaddedBatch;
import dev.r1j.core.train.TokenSequence;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What packing buys: SFT throughput (real tokens per second) and the share of computed positions that are real
 * tokens, packed vs one example per row, on examples of mixed length (prompt 5–20, completion 5–100 tokens) with about
 * the same number of examples per step. Settings by system property: {@code -Dpack.steps=30 -Dpack.hidden=64}.
 *
 * <pre>
 * mvn -B -Pbench -pl sft -am test -Dtest=SftPackingBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
class SftPackingBenchmark {
    @Test
    void packedVersusUnpacked() {
        int steps = Integer.getInteger("pack.steps", 30);
        int hidden = Integer.getInteger("pack.hidden", 64);
        int maxLength = 256;
        Random r = new Random(1);
        List<TokenSequence> data = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            int[] p = new int[5 + r.nextInt(16)], c = new int[5 + r.nextInt(96)];
            for (int k = 0; k < p.length; k++) p[k] = 3 + r.nextInt(60);
            for (int k = 0; k < c.length; k++) c[k] = 3 + r.nextInt(60);
            data.add(TokenSequence.completionOnly(p, c));
        }
        double meanLen = data.stream().mapToInt(TokenSequence::length).average().orElseThrow();
        int perRow = (int) (maxLength / meanLen);
        System.out.printf("examples: %d, mean length %.1f tokens, ~%d per packed row of %d%n", data.size(), meanLen,
                perRow, maxLength);
        try (NDManager root = Djl.newManager()) {
            for (boolean packing : new boolean[] {false, true}) {
                int batch = packing ? 3 : 3 * perRow;
                SftOptions o = new SftOptions(TrainingOptions.builder().maxSteps(steps).batchSize(batch)
                        .maxLength(maxLength).learningRate(1e-3).build(), packing, 0);
                try (Transformer m = Transformer.create(ModelConfig.llama(64, hidden, 4 * hidden, 2, 4, 2, 512), root, 1);
                        SftTrainer t = new SftTrainer(m, o, data, List.of(), 0)) {
                    double[] tps = new double[steps];
                    long[] tokens = new long[1];
                    long t0 = System.nanoTime();
                    t.train(s -> {
                        tps[s.step() - 1] = s.tokensPerS();
                        tokens[0] += s.tokens();
                    }, null, null);
                    double secs = (System.nanoTime() - t0) / 1e9;
                    double mean = 0;
                    for (int i = 3; i < steps; i++) mean += tps[i] / (steps - 3);
                    // share of computed positions holding real tokens, over the first 20 batches
                    double real = 0, total = 0;
                    try (NDManager s = root.newSubManager()) {
                        for (int b = 0; b < 20; b++) {
                            PaddedBatch pb;
                            if (packing) {
                                List<List<TokenSequence>> rows = Packer.pack(data, maxLength);
                                pb = PaddedBatch.packed(rows.subList(b * batch, (b + 1) * batch), 0, s);
                            } else {
                                pb = PaddedBatch.of(data.subList(b * batch, (b + 1) * batch), 0, s);
                            }
                            real += pb.realTokens();
                            total += pb.ids().size();
                        }
                    }
                    System.out.printf("packing=%-5s rows/step %3d  rows %4d  real tokens/s %8.0f  target tokens/s %8.0f"
                            + "  real share of positions %.2f  (%d steps in %.1f s)%n", packing, batch, t.trainRows(),
                            mean, tokens[0] / secs, real / total, steps, secs);
                }
            }
        }
    }
}

package dev.r1j.sft;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.r1j.core.Djl;
import dev.r1j.core.train.PaddedBatch;
import dev.r1j.core.train.TokenSequence;
import dev.r1j.core.testing.RootManager;
import dev.r1j.core.testing.TinyLM;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LmTrainerTest {
    @RootManager private static NDManager root;

    private static TinyLM model(long seed) {
        return TinyLM.gpt(root, 12, 32, 1, 2, 16, seed);
    }

    @Test
    void lossMatchesANaiveComputationFromTheLogits() {
        try (TinyLM m = model(1); NDManager s = root.newSubManager()) {
            List<TokenSequence> seqs = List.of(
                    TokenSequence.completionOnly(new int[] {1, 5, 6}, new int[] {7, 8, 2}),
                    TokenSequence.allTokens(new int[] {1, 9, 3, 2}));
            PaddedBatch b = PaddedBatch.of(seqs, 0, s);
            float[][][] logits = to3d(m.forward(b.ids(), b.attentionMask(), null));
            double sum = 0;
            int n = 0;
            for (int i = 0; i < seqs.size(); i++) {
                TokenSequence q = seqs.get(i);
                for (int t = 1; t < q.length(); t++) {
                    if (!q.target()[t]) continue;
                    float[] row = logits[i][t - 1];
                    double max = Double.NEGATIVE_INFINITY, z = 0;
                    for (float v : row) max = Math.max(max, v);
                    for (float v : row) z += Math.exp(v - max);
                    sum += -(row[q.ids()[t]] - max - Math.log(z));
                    n++;
                }
            }
            assertEquals(3 + 3, n); // 3 completion targets + 3 targets of the 4-token sequence
            assertEquals(n, b.targetTokens());
            assertEquals(sum / n, NextTokenLoss.mean(m, b).getFloat(), 1e-5);
        }
    }

    private static float[][][] to3d(NDArray a) {
        long[] sh = a.getShape().getShape();
        float[] f = a.toFloatArray();
        float[][][] out = new float[(int) sh[0]][(int) sh[1]][(int) sh[2]];
        for (int i = 0; i < sh[0]; i++)
            for (int j = 0; j < sh[1]; j++)
                System.arraycopy(f, (int) ((i * sh[1] + j) * sh[2]), out[i][j], 0, (int) sh[2]);
        return out;
    }

    /** Gradients of the mean loss over {@code seqs} padded with {@code padId}, flattened per parameter. */
    private static Map<String, float[]> grads(TinyLM m, List<TokenSequence> seqs, int padId) {
        Map<String, float[]> out = new java.util.LinkedHashMap<>();
        for (NDArray p : m.parameters().values()) p.setRequiresGradient(true);
        try (NDManager s = m.manager().newSubManager()) {
            PaddedBatch b = PaddedBatch.of(seqs, padId, s);
            try (GradientCollector gc = Djl.engine().newGradientCollector()) {
                gc.backward(NextTokenLoss.mean(m, b));
            }
            for (Map.Entry<String, NDArray> e : m.parameters().entrySet()) {
                NDArray g = e.getValue().getGradient();
                g.attach(s);
                out.put(e.getKey(), g.toFloatArray());
                g.muli(0f);
            }
        }
        return out;
    }

    private static double maxDiff(Map<String, float[]> a, Map<String, float[]> b) {
        double d = 0;
        for (String k : a.keySet()) {
            float[] x = a.get(k), y = b.get(k);
            for (int i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i] - y[i]));
        }
        return d;
    }

    @Test
    void maskedTokensAndPadsContributeNoGradient() {
        try (TinyLM m = model(2)) {
            // the last two tokens are not targets (and nothing after them is): changing them must not matter
            boolean[] tgt = {false, false, true, true, false, false};
            TokenSequence a = new TokenSequence(new int[] {1, 4, 5, 6, 7, 8}, tgt);
            TokenSequence b = new TokenSequence(new int[] {1, 4, 5, 6, 10, 3}, tgt);
            TokenSequence other = TokenSequence.allTokens(new int[] {1, 9, 9, 3, 2, 2, 4, 5});
            Map<String, float[]> ga = grads(m, List.of(a, other), 0);
            Map<String, float[]> gb = grads(m, List.of(b, other), 0);
            assertEquals(0.0, maxDiff(ga, gb), 1e-7);
            // the pad id is irrelevant too
            assertEquals(0.0, maxDiff(ga, grads(m, List.of(a, other), 11)), 1e-7);
            // control: when those tokens are targets, changing them does change the gradient
            Map<String, float[]> ca = grads(m, List.of(TokenSequence.allTokens(a.ids()), other), 0);
            Map<String, float[]> cb = grads(m, List.of(TokenSequence.allTokens(b.ids()), other), 0);
            assertTrue(maxDiff(ca, cb) > 1e-4, "control must differ: " + maxDiff(ca, cb));
            // and the gradients are really reset between calls (no accumulation)
            assertEquals(0.0, maxDiff(ga, grads(m, List.of(a, other), 0)), 1e-7);
        }
    }

    @Test
    void lossFallsOnAMemorisationTaskAndRunsAreReproducible() {
        List<TokenSequence> data = new ArrayList<>();
        int[][] rows = {{1, 3, 4, 5, 6, 2}, {1, 6, 5, 4, 3, 2}, {1, 7, 7, 8, 2}, {1, 9, 3, 9, 3, 9, 2}};
        for (int[] r : rows) data.add(TokenSequence.allTokens(r));
        LmTrainerConfig cfg = LmTrainerConfig.builder().steps(120).batchSize(4).learningRate(5e-3)
                .warmupSteps(10).seed(3).build();
        List<Double> losses = new ArrayList<>();
        LmTrainer.Result r1, r2;
        try (TinyLM m = model(4)) {
            r1 = new LmTrainer(cfg).train(m, data, 0, s -> losses.add(s.loss()));
        }
        try (TinyLM m = model(4)) {
            r2 = new LmTrainer(cfg).train(m, data, 0, null);
        }
        assertEquals(120, losses.size());
        assertTrue(losses.get(0) > 2.0, "initial loss ~ln(12): " + losses.get(0));
        // row 3's first target (after BOS) is ambiguous among 4 rows: the floor is ln(4)/~5 tokens per row
        assertTrue(r1.finalLoss() < 0.45, "final loss " + r1.finalLoss());
        assertEquals(r1.finalLoss(), r2.finalLoss(), 1e-6, "same seed, same run");
        assertEquals(120 * 4 / 4, r1.dataPosition().epoch());
    }
}

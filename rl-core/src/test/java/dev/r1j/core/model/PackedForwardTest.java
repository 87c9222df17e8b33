package dev.r1j.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.r1j.core.testing.RootManager;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Packed rows (several examples per row, block-diagonal causal attention, positions restarting per example) give
 * each example the per-token log-probs it gets when run alone, for every model type.
 */
class PackedForwardTest {
    static final int VOCAB = 50;
    @RootManager static NDManager root;

    static Stream<ModelConfig> configs() {
        return Stream.of(ModelConfig.tinyLlama(VOCAB), ModelConfig.tinyQwen2(VOCAB),
                ModelConfig.tinyDeepSeekV3(VOCAB, null), ModelConfig.tinyDeepSeekV3(VOCAB, 12));
    }

    private static long[] randomIds(Random r, int n) {
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) ids[i] = 1 + r.nextInt(VOCAB - 1);
        return ids;
    }

    /** Log-probs of the example alone: an unpadded batch of one. */
    private static float[] alone(Transformer model, long[] ids, NDManager m) {
        NDArray x = m.create(ids, new Shape(1, ids.length));
        return LogProbs.tokenLogProbs(model, x, m.ones(x.getShape(), ai.djl.ndarray.types.DataType.INT64))
                .toFloatArray();
    }

    @ParameterizedTest
    @MethodSource("configs")
    void aPackedRowScoresEachExampleAsIfAlone(ModelConfig config) {
        Random r = new Random(7);
        long[][] examples = {randomIds(r, 5), randomIds(r, 3), randomIds(r, 6)};
        int width = 5 + 3 + 6 + 2; // two pads at the end
        try (NDManager m = root.newSubManager(); Transformer model = Transformer.create(config, m, 11)) {
            // row 0 packs all three; row 1 holds the third example first, then the first, then padding
            long[] ids = new long[2 * width];
            long[] seg = new long[2 * width];
            int at = 0;
            for (int e = 0; e < 3; e++) {
                for (long id : examples[e]) {
                    ids[at] = id;
                    seg[at++] = e + 1;
                }
            }
            at = width;
            for (int e : new int[] {2, 0}) {
                for (long id : examples[e]) {
                    ids[at] = id;
                    seg[at++] = 7 + e; // segment ids need not be consecutive
                }
            }
            NDArray logits = model.forwardPacked(m.create(ids, new Shape(2, width)), m.create(seg, new Shape(2, width)));
            float[] packed = LogProbs.fromLogits(logits, m.create(ids, new Shape(2, width))).toFloatArray();
            int row = width - 1;
            // row 0
            int off = 0;
            for (long[] ex : examples) {
                float[] solo = alone(model, ex, m);
                for (int t = 0; t < ex.length - 1; t++) {
                    assertEquals(solo[t], packed[off + t], 2e-5, config.modelType() + " row 0, token " + t);
                }
                off += ex.length;
            }
            // row 1: example 2 at offset 0, example 0 at offset 6
            float[] solo2 = alone(model, examples[2], m);
            for (int t = 0; t < examples[2].length - 1; t++) assertEquals(solo2[t], packed[row + t], 2e-5);
            float[] solo0 = alone(model, examples[0], m);
            for (int t = 0; t < examples[0].length - 1; t++) assertEquals(solo0[t], packed[row + 6 + t], 2e-5);

            // control: the same row without segment boundaries (one segment) scores later examples differently
            long[] oneSeg = new long[2 * width];
            java.util.Arrays.fill(oneSeg, 1);
            float[] joined = LogProbs.fromLogits(model.forwardPacked(m.create(ids, new Shape(2, width)),
                    m.create(oneSeg, new Shape(2, width))), m.create(ids, new Shape(2, width))).toFloatArray();
            double diff = 0;
            for (int t = 5; t < 7; t++) diff = Math.max(diff, Math.abs(joined[t] - packed[t]));
            assertTrue(diff > 1e-4, "control: attention across examples must change log-probs, diff " + diff);
        }
    }

    @Test
    void oneSegmentPerRowEqualsThePlainForward() {
        Random r = new Random(3);
        try (NDManager m = root.newSubManager();
                Transformer model = Transformer.create(ModelConfig.tinyLlama(VOCAB), m, 5)) {
            long[] ids = randomIds(r, 8);
            long[] seg = {1, 1, 1, 1, 1, 1, 0, 0}; // right padding as segment 0
            long[] mask = {1, 1, 1, 1, 1, 1, 0, 0};
            NDArray x = m.create(ids, new Shape(1, 8));
            float[] a = model.forwardPacked(x, m.create(seg, new Shape(1, 8))).toFloatArray();
            float[] b = model.forward(x, m.create(mask, new Shape(1, 8)), null).toFloatArray();
            for (int i = 0; i < 6 * VOCAB; i++) assertEquals(b[i], a[i], 1e-5, "logit " + i);
        }
    }

    @Test
    void mismatchedShapesAreAClearError() {
        try (NDManager m = root.newSubManager();
                Transformer model = Transformer.create(ModelConfig.tinyLlama(VOCAB), m, 5)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.forwardPacked(m.create(new long[] {1, 2, 3}, new Shape(1, 3)),
                            m.create(new long[] {1, 1}, new Shape(1, 2))));
            assertTrue(e.getMessage().contains("segmentIds"), e.getMessage());
        }
    }
}

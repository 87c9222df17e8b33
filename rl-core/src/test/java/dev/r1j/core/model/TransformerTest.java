package dev.r1j.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.r1j.core.testing.RootManager;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Cached vs. full forward, causality and padding invariance, for every model type. */
class TransformerTest {
    static final int VOCAB = 50;
    @RootManager static NDManager root;

    static Stream<ModelConfig> configs() {
        return Stream.of(
                ModelConfig.tinyLlama(VOCAB),
                ModelConfig.tinyQwen2(VOCAB),
                ModelConfig.tinyDeepSeekV3(VOCAB, null),
                ModelConfig.tinyDeepSeekV3(VOCAB, 12),
                ModelConfig.tinyDeepSeekV3(VOCAB, 12).withRopeScaling(RopeScaling.yarn(4.0, 32, 1.0, 1.0)));
    }

    static long[][] randomIds(Random r, int b, int t) {
        long[][] ids = new long[b][t];
        for (long[] row : ids) {
            for (int j = 0; j < t; j++) {
                row[j] = 1 + r.nextInt(VOCAB - 1);
            }
        }
        return ids;
    }

    /** Rows with {@code pads[i]} left pads (id 0, mask 0). */
    static long[][] leftPadMask(int t, int... pads) {
        long[][] mask = new long[pads.length][t];
        for (int i = 0; i < pads.length; i++) {
            for (int j = pads[i]; j < t; j++) {
                mask[i][j] = 1;
            }
        }
        return mask;
    }

    static float maxAbsDiffAtReal(NDArray a, NDArray b, long[][] mask) {
        float[] x = a.toFloatArray();
        float[] y = b.toFloatArray();
        int t = mask[0].length;
        int v = (int) a.getShape().get(2);
        float max = 0;
        for (int i = 0; i < mask.length; i++) {
            for (int j = 0; j < t; j++) {
                if (mask[i][j] == 0) {
                    continue;
                }
                for (int k = 0; k < v; k++) {
                    int o = (i * t + j) * v + k;
                    max = Math.max(max, Math.abs(x[o] - y[o]));
                }
            }
        }
        return max;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void incrementalForwardWithCacheEqualsFullForward(ModelConfig config) {
        try (NDManager m = root.newSubManager(); Transformer model = Transformer.create(config, m, 7)) {
            int t = 9;
            long[][] ids = randomIds(new Random(1), 3, t);
            long[][] mask = leftPadMask(t, 0, 2, 5);
            NDArray idsNd = m.create(ids);
            NDArray maskNd = m.create(mask);
            NDArray full = model.forward(idsNd, maskNd, null);
            assertEquals(new Shape(3, t, VOCAB), full.getShape());

            try (KVCache cache = model.newCache(3, t + 2)) {
                NDArray prefill = model.forward(idsNd.get(":, :4"), maskNd.get(":, :4"), cache);
                assertEquals(4, cache.length());
                NDArray all = prefill;
                for (int j = 4; j < t; j++) {
                    NDArray step = model.forward(idsNd.get(new NDIndex(":, {}:{}", j, j + 1)),
                            maskNd.get(new NDIndex(":, :{}", j + 1)), cache);
                    all = all.concat(step, 1);
                }
                float diff = maxAbsDiffAtReal(full, all, mask);
                assertTrue(diff < 1e-4, config.modelType() + ": cached vs full max abs diff " + diff);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void keepRowsDropsFinishedSequences(ModelConfig config) {
        try (NDManager m = root.newSubManager(); Transformer model = Transformer.create(config, m, 11)) {
            int t = 8;
            long[][] ids = randomIds(new Random(2), 3, t);
            long[][] mask = leftPadMask(t, 1, 0, 3);
            NDArray idsNd = m.create(ids);
            NDArray maskNd = m.create(mask);
            int[] keep = {2, 0};
            NDArray keptIds = m.create(new long[][] {ids[2], ids[0]});
            long[][] keptMask = {mask[2], mask[0]};
            NDArray full = model.forward(keptIds, m.create(keptMask), null);
            try (KVCache cache = model.newCache(3, t)) {
                NDArray first = model.forward(idsNd.get(":, :5"), maskNd.get(":, :5"), cache);
                cache.keepRows(keep);
                assertEquals(2, cache.batchSize());
                NDArray all = first.get(m.create(new long[] {2, 0}));
                NDArray keptMaskNd = m.create(keptMask);
                for (int j = 5; j < t; j++) {
                    all = all.concat(model.forward(keptIds.get(new NDIndex(":, {}:{}", j, j + 1)),
                            keptMaskNd.get(new NDIndex(":, :{}", j + 1)), cache), 1);
                }
                float diff = maxAbsDiffAtReal(full, all, keptMask);
                assertTrue(diff < 1e-4, "after keepRows max abs diff " + diff);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void laterTokensDoNotChangeEarlierLogits(ModelConfig config) {
        try (NDManager m = root.newSubManager(); Transformer model = Transformer.create(config, m, 3)) {
            long[][] ids = randomIds(new Random(3), 2, 8);
            NDArray a = model.forward(m.create(ids), null, null);
            ids[0][5] = (ids[0][5] % (VOCAB - 1)) + 1;
            ids[1][6] = (ids[1][6] % (VOCAB - 1)) + 1;
            NDArray b = model.forward(m.create(ids), null, null);
            float before = a.get(":, :5").sub(b.get(":, :5")).abs().max().getFloat();
            assertTrue(before < 1e-6, "earlier logits changed by " + before);
            float row0 = a.get("0, 5:").sub(b.get("0, 5:")).abs().max().getFloat();
            assertTrue(row0 > 1e-4, "the changed token must change its own logits (test is live), diff " + row0);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void leftPaddingDoesNotChangeRealTokens(ModelConfig config) {
        try (NDManager m = root.newSubManager(); Transformer model = Transformer.create(config, m, 5)) {
            long[] real = randomIds(new Random(4), 1, 6)[0];
            NDArray alone = model.forward(m.create(new long[][] {real}), null, null);
            NDArray aloneLp = LogProbs.tokenLogProbs(model, m.create(new long[][] {real}), null);
            long[] other = randomIds(new Random(5), 1, 9)[0];
            long[] padded = new long[9];
            System.arraycopy(real, 0, padded, 3, 6);
            padded[0] = 17; // pads hold junk ids: they must not matter
            padded[1] = 3;
            NDArray ids = m.create(new long[][] {padded, other});
            NDArray mask = m.create(leftPadMask(9, 3, 0));
            NDArray batch = model.forward(ids, mask, null);
            float d = alone.get("0").sub(batch.get("0, 3:")).abs().max().getFloat();
            assertTrue(d < 1e-5, "padded row logits differ by " + d);
            NDArray lp = LogProbs.tokenLogProbs(model, ids, mask);
            float dl = aloneLp.get("0").sub(lp.get("0, 3:")).abs().max().getFloat();
            assertTrue(dl < 1e-5, "padded row log-probs differ by " + dl);
            assertTrue(!Float.isNaN(batch.sum().getFloat()), "all-pad query rows must stay finite");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void sameSeedSameWeightsAndNamesMatchShapes(ModelConfig config) {
        try (NDManager m = root.newSubManager();
                Transformer a = Transformer.create(config, m, 99);
                Transformer b = Transformer.create(config, m, 99);
                Transformer c = Transformer.create(config, m, 100)) {
            assertEquals(List.copyOf(Transformer.expectedShapes(config).keySet()), List.copyOf(a.parameters().keySet()));
            String q = config.deepseek() == null ? "model.layers.0.self_attn.q_proj.weight"
                    : "model.layers.0.self_attn.kv_b_proj.weight";
            assertEquals(0f, a.parameters().get(q).sub(b.parameters().get(q)).abs().max().getFloat());
            assertTrue(a.parameters().get(q).sub(c.parameters().get(q)).abs().max().getFloat() > 0);
            float std = (float) Math.sqrt(a.parameters().get(q).square().mean().getFloat());
            assertEquals(0.02, std, 0.005, "init std");
            assertEquals(1f, a.parameters().get("model.norm.weight").min().getFloat());
        }
    }
}

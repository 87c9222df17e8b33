package dev.r1j.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.r1j.core.Djl;
import dev.r1j.core.FreedBuffers;
import dev.r1j.core.optim.AdamW;
import dev.r1j.core.optim.GradientStep;
import dev.r1j.core.testing.RootManager;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link Transformer#releaseGradients} frees the gradients between optimizer steps (PyTorch's
 * {@code zero_grad(set_to_none=True)}; DJL can only zero them). Training with it must give the weights of training
 * with zeroed gradients bit for bit, leave no parameter holding a {@code .grad}, and copy no weights.
 */
class ReleaseGradientsTest {
    @RootManager static NDManager root;

    private static final int STEPS = 3;

    @Test
    void trainingIsBitIdenticalToZeroedGradientsAndNoGradientIsLeft() {
        // tied embeddings: the embedding is also the LM head, so one array gets two uses' gradients
        ModelConfig config = ModelConfig.tinyLlama(20).withTieWordEmbeddings(true);
        Map<String, float[]> zeroed = train(config, false);
        Map<String, float[]> released = train(config, true);
        assertEquals(zeroed.keySet(), released.keySet());
        for (String name : zeroed.keySet()) {
            assertArrayEquals(zeroed.get(name), released.get(name), name);
        }
    }

    /**
     * The random init is made from Java data, whose memory is a direct buffer only the original array keeps
     * reachable. After the release those buffers are freed ({@link FreedBuffers#now()}) and their memory handed out
     * again, filled with a sentinel: the model must compute what it computed before (a view of the old memory, as a
     * detach would give, reads the sentinel or crashes).
     */
    @Test
    void theReleasedParametersOwnTheirMemory() {
        try (NDManager m = root.newSubManager(); Transformer model = Transformer.create(ModelConfig.tinyQwen2(20), m, 4)) {
            lossStep(model, m);
            float[] before = logProbs(model, m);
            List<NDArray> old = new ArrayList<>(model.parameters().values());
            assertTrue(model.releaseGradients());
            for (NDArray o : old) assertTrue(o.isReleased(), "the old array (and its gradient) is closed");
            FreedBuffers.now();
            List<NDArray> sentinels = new ArrayList<>();
            for (NDArray o : model.parameters().values()) {
                float[] nan = new float[Math.toIntExact(o.size())];
                java.util.Arrays.fill(nan, Float.NaN);
                sentinels.add(m.create(nan)); // reuses the freed buffers' memory
            }
            assertArrayEquals(before, logProbs(model, m));
            model.parameters().forEach((k, v) -> {
                assertEquals(k, v.getName());
                assertTrue(v.hasGradient(), k + " still requires a gradient");
                assertNull(JniUtils.getGradient((PtNDArray) v), k + " holds no .grad");
            });
            sentinels.forEach(NDArray::close);
        }
    }

    @Test
    void withAdaptersOnlyTheAdaptersTrainAndNothingIsReplaced() {
        try (NDManager m = root.newSubManager(); Transformer model = Transformer.create(ModelConfig.tinyQwen2(20), m, 4);
                LoraAdapters adapters = LoraAdapters.create(model, new LoraConfig(2, 4, 0, List.of("q_proj"), false), 1)) {
            model.setAdapters(adapters);
            List<NDArray> base = new ArrayList<>(model.parameters().values());
            lossStep(model, m);
            assertFalse(model.releaseGradients(), "nothing to release: the caller zeroes the adapters' gradients");
            assertEquals(base, new ArrayList<>(model.parameters().values()));
            for (NDArray b : base) assertFalse(b.isReleased());
            model.setAdapters(null);
        }
    }

    /** The weights after {@link #STEPS} AdamW steps on a fixed loss, releasing or only zeroing the gradients. */
    private static Map<String, float[]> train(ModelConfig config, boolean release) {
        try (NDManager m = root.newSubManager(); Transformer model = Transformer.create(config, m, 11);
                AdamW opt = new AdamW(model.trainableParameters(), AdamW.Config.defaults(0.01))) {
            for (int step = 1; step <= STEPS; step++) {
                lossStep(model, m);
                if (release) {
                    GradientStep.apply(model, opt, 3e-3, 1.0, step); // the trainers' call: releases
                    model.parameters().forEach((k, v) -> assertNull(JniUtils.getGradient((PtNDArray) v), k));
                } else {
                    GradientStep.apply(model.trainableParameters(), opt, 3e-3, 1.0, step); // zeroes
                    model.parameters().forEach((k, v) -> assertNotNull(JniUtils.getGradient((PtNDArray) v), k));
                }
            }
            Map<String, float[]> out = new LinkedHashMap<>();
            model.parameters().forEach((k, v) -> out.put(k, v.toFloatArray()));
            return out;
        }
    }

    private static float[] logProbs(Transformer model, NDManager parent) {
        try (NDManager m = parent.newSubManager()) {
            NDArray ids = m.create(new long[][] {{3, 7, 1, 9, 4, 11}, {0, 0, 5, 2, 8, 6}});
            return Djl.withoutGradients(() -> LogProbs.tokenLogProbs(model, ids, null).toFloatArray());
        }
    }

    private static void lossStep(Transformer model, NDManager parent) {
        try (NDManager m = parent.newSubManager()) {
            NDArray ids = m.create(new long[][] {{3, 7, 1, 9, 4, 11}, {0, 0, 5, 2, 8, 6}});
            NDArray mask = m.create(new long[][] {{1, 1, 1, 1, 1, 1}, {0, 0, 1, 1, 1, 1}});
            NDArray coef = m.create(new float[][] {{0.3f, -1.1f, 0.7f, 0.9f, -0.4f}, {0, 0, 1.3f, -0.6f, 0.8f}});
            try (GradientCollector gc = Djl.engine().newGradientCollector()) {
                model.backward(gc, LogProbs.tokenLogProbs(model, ids, mask).mul(coef).sum());
            }
        }
    }
}

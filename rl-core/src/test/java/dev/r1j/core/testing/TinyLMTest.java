package dev.r1j.core.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The shared test model does what its Javadoc says: checked against hand computations from its own weights. */
class TinyLMTest {
    @RootManager static NDManager root;

    private static float[] logits(TinyLM model, NDManager m, long[] ids, long[] mask) {
        Shape s = new Shape(1, ids.length);
        return model.forward(m.create(ids, s), m.create(mask, s), null).toFloatArray();
    }

    private static float[] row(float[] flat, int position, int vocab) {
        return Arrays.copyOfRange(flat, position * vocab, (position + 1) * vocab);
    }

    @Test
    void bigramLogitsAreTheEmbeddingRowTimesTheHeadAndDependOnTheCurrentTokenOnly() {
        int vocab = 5, hidden = 3;
        try (NDManager m = root.newSubManager(); TinyLM model = TinyLM.bigram(m, vocab, hidden, 7)) {
            assertEquals(2, model.parameters().size());
            float[] e = model.parameters().get("model.embed_tokens.weight").toFloatArray();
            float[] w = model.parameters().get("lm_head.weight").toFloatArray();
            float[] got = logits(model, m, new long[] {4, 2, 2}, new long[] {1, 1, 1});
            long[] ids = {4, 2, 2};
            for (int t = 0; t < 3; t++) {
                for (int v = 0; v < vocab; v++) {
                    double want = 0;
                    for (int h = 0; h < hidden; h++) want += e[(int) ids[t] * hidden + h] * w[v * hidden + h];
                    assertEquals(want, got[t * vocab + v], 1e-5, "position " + t + " token " + v);
                }
            }
            assertArrayEquals(row(got, 1, vocab), row(got, 2, vocab), 0f, "same token, same logits, any history");
        }
    }

    @Test
    void gptIsCausalIgnoresPaddingAndSeesContext() {
        int vocab = 12;
        try (NDManager m = root.newSubManager(); TinyLM model = TinyLM.gpt(m, vocab, 16, 2, 2, 16, 3)) {
            float[] a = logits(model, m, new long[] {1, 5, 6, 7}, new long[] {1, 1, 1, 1});
            float[] b = logits(model, m, new long[] {1, 5, 6, 9}, new long[] {1, 1, 1, 1});
            for (int t = 0; t < 3; t++) {
                assertArrayEquals(row(a, t, vocab), row(b, t, vocab), 1e-6f, "a later token changes position " + t);
            }
            float[] padded = logits(model, m, new long[] {0, 0, 1, 5, 6, 7}, new long[] {0, 0, 1, 1, 1, 1});
            for (int t = 0; t < 4; t++) {
                assertArrayEquals(row(a, t, vocab), row(padded, t + 2, vocab), 1e-5f, "left padding at position " + t);
            }
            float[] c = logits(model, m, new long[] {1, 8, 6, 7}, new long[] {1, 1, 1, 1});
            double diff = 0;
            for (int v = 0; v < vocab; v++) diff = Math.max(diff, Math.abs(a[3 * vocab + v] - c[3 * vocab + v]));
            assertTrue(diff > 1e-6, "an earlier token must change the last logits (context): " + diff);
            NDArray last = model.lastLogits(m.create(new long[] {1, 5, 6, 7}, new Shape(1, 4)),
                    m.ones(new Shape(1, 4), DataType.INT64));
            assertArrayEquals(row(a, 3, vocab), last.toFloatArray(), 0f);
        }
    }

    @Test
    void poisonGivesNaNLogits() {
        try (NDManager m = root.newSubManager(); TinyLM model = TinyLM.bigram(m, 4, 2, 1)) {
            model.poison = true;
            for (float x : logits(model, m, new long[] {1, 2}, new long[] {1, 1})) assertTrue(Float.isNaN(x));
            assertThrows(UnsupportedOperationException.class, () -> model.newCache(1, 4));
        }
    }
}

package dev.r1j.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.r1j.core.Djl;
import dev.r1j.core.io.Checkpoint;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.model.Transformer;
import dev.r1j.core.sampling.Completion;
import dev.r1j.core.tokenizer.CharTokenizer;
import dev.r1j.tasks.arith.ArithmeticVocabulary;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedding example against the model it was saved from, kept in memory: log-probs worked out here from raw
 * logits (a log-softmax in double precision in Java, not {@code LogProbs}), and each sampled completion's log-probs
 * (KV-cached decoding) against a full forward pass over prompt + completion.
 */
class EmbeddingR1JTest {
    private static final String TEXT = "347+185=<think>7+5=12,4+8+1=13,3+1+1=5</think><answer>532</answer>";

    @Test
    void logProbsAndSamplesMatchTheOriginalModel(@TempDir Path dir) {
        CharTokenizer tok = ArithmeticVocabulary.tokenizer();
        try (NDManager m = Djl.newManager();
                Transformer model = Transformer.create(ModelConfig.tinyLlama(tok.vocabSize()), m, 11L)) {
            Checkpoint.save(dir, model, tok);
            EmbeddingR1J.Result r = EmbeddingR1J.run(dir, TEXT, "12+7=", 4, 12, 3L);

            int[] want = withBos(tok, TEXT);
            assertArrayEquals(want, r.tokenIds(), "BOS + one id per character");
            double[] expected = naiveLogProbs(model, m, want);
            assertEquals(expected.length, r.logProbs().length);
            for (int t = 0; t < expected.length; t++) {
                assertEquals(expected[t], r.logProbs()[t], 1e-4, "token " + t);
            }

            assertEquals(4, r.completions().size());
            int[] prompt = withBos(tok, "12+7=");
            for (Completion c : r.completions()) {
                int[] seq = new int[prompt.length + c.tokenIds().length];
                System.arraycopy(prompt, 0, seq, 0, prompt.length);
                System.arraycopy(c.tokenIds(), 0, seq, prompt.length, c.tokenIds().length);
                double[] full = naiveLogProbs(model, m, seq);
                assertTrue(c.tokenIds().length > 0);
                for (int j = 0; j < c.tokenIds().length; j++) {
                    assertEquals(full[prompt.length - 1 + j], c.logprobs()[j], 1e-4, c.text() + " token " + j);
                }
            }
        }
    }

    private static int[] withBos(CharTokenizer tok, String text) {
        int[] ids = tok.encode(text);
        int[] out = new int[ids.length + 1];
        out[0] = tok.bosId();
        System.arraycopy(ids, 0, out, 1, ids.length);
        return out;
    }

    /** log p(seq[t+1] | seq[..t]) from the model's raw logits, with the log-softmax computed here. */
    private static double[] naiveLogProbs(Transformer model, NDManager m, int[] seq) {
        try (NDManager sm = m.newSubManager()) {
            long[] ids = Arrays.stream(seq).asLongStream().toArray();
            float[] logits = model.forward(sm.create(ids, new Shape(1, seq.length)),
                    sm.ones(new Shape(1, seq.length), DataType.INT64), null).toFloatArray();
            int v = logits.length / seq.length;
            double[] out = new double[seq.length - 1];
            for (int t = 0; t + 1 < seq.length; t++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < v; k++) max = Math.max(max, logits[t * v + k]);
                double z = 0;
                for (int k = 0; k < v; k++) z += Math.exp(logits[t * v + k] - max);
                out[t] = logits[t * v + seq[t + 1]] - max - Math.log(z);
            }
            return out;
        }
    }
}

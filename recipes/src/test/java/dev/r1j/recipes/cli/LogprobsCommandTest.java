package dev.r1j.recipes.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1j.core.Djl;
import dev.r1j.core.io.Checkpoint;
import dev.r1j.core.io.LoadedModel;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogprobsCommandTest {
    @TempDir
    static Path tmp;
    static Path dir;
    final CommandHarness cli = new CommandHarness();
    final StringWriter out = cli.out;
    final StringWriter err = cli.err;

    @BeforeAll
    static void checkpoint() {
        dir = TinyCheckpoint.write(tmp.resolve("tiny"), 3);
    }

    int run(String... args) {
        return cli.run(args);
    }

    /** log softmax of a full forward's logits, worked in double precision in the test. */
    static double[] naiveLogprobs(Path dir, long[] ids) {
        try (NDManager m = Djl.newManager(); LoadedModel lm = Checkpoint.load(dir, m)) {
            float[] logits = lm.model().forward(m.create(ids, new Shape(1, ids.length)),
                    m.ones(new Shape(1, ids.length), DataType.INT64), null).toFloatArray();
            int v = logits.length / ids.length;
            double[] out = new double[ids.length - 1];
            for (int k = 0; k + 1 < ids.length; k++) {
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int j = 0; j < v; j++) max = Math.max(max, logits[k * v + j]);
                for (int j = 0; j < v; j++) sum += Math.exp(logits[k * v + j] - max);
                out[k] = logits[k * v + (int) ids[k + 1]] - max - Math.log(sum);
            }
            return out;
        }
    }

    @Test
    void printsTheLogprobOfEachTokenGivenTheOnesBefore() throws Exception {
        long[] ids = {1, 10, 4, 33, 20, 20, 7, 2};
        assertEquals(0, run("logprobs", "--model", dir.toString(), "--token-ids", "1,10, 4,33,20,20,7,2"), err.toString());
        JsonNode r = new ObjectMapper().readTree(out.toString());
        assertEquals("[1,10,4,33,20,20,7,2]", r.get("token_ids").toString());
        JsonNode lp = r.get("logprobs");
        assertEquals(ids.length - 1, lp.size());
        double[] want = naiveLogprobs(dir, ids);
        double spread = 0;
        for (int k = 0; k < want.length; k++) {
            assertEquals(want[k], lp.get(k).asDouble(), 1e-4, "logprobs[" + k + "]");
            spread = Math.max(spread, Math.abs(want[k] - want[0]));
        }
        assertTrue(spread > 0.5, "the test model should be peaked enough to tell positions apart: " + spread);
        assertEquals("", err.toString());
    }

    @Test
    void oneTokenHasNoLogprobs() throws Exception {
        assertEquals(0, run("logprobs", "--model", dir.toString(), "--token-ids", "5"), err.toString());
        assertEquals("{\"token_ids\":[5],\"logprobs\":[]}", out.toString().strip());
    }

    @Test
    void badInputIsOneClearError() {
        Path missing = tmp.resolve("nope");
        assertEquals(1, run("logprobs", "--model", missing.toString(), "--token-ids", "1,2"));
        assertEquals("recipe logprobs: " + missing + ": checkpoint directory does not exist\n", err.toString());

        err.getBuffer().setLength(0);
        assertEquals(2, run("logprobs", "--model", dir.toString(), "--token-ids", "1,x,3"));
        assertTrue(err.toString().startsWith("recipe logprobs: --token-ids: 'x' (position 1) is not an integer"), err.toString());

        err.getBuffer().setLength(0);
        assertEquals(2, run("logprobs", "--model", dir.toString(), "--token-ids", "1,-4"));
        assertTrue(err.toString().contains("id -4 (position 1) is negative"), err.toString());

        err.getBuffer().setLength(0);
        int vocab = TinyCheckpoint.tokenizer().vocabSize();
        assertEquals(1, run("logprobs", "--model", dir.toString(), "--token-ids", "1," + vocab));
        assertEquals("recipe logprobs: --token-ids: id " + vocab + " at position 1 is outside the vocabulary of " + dir
                + " (vocab_size " + vocab + ", ids 0.." + (vocab - 1) + ")\n", err.toString());

        err.getBuffer().setLength(0);
        assertEquals(2, run("logprobs", "--token-ids", "1,2"));
        assertTrue(err.toString().contains("--model"), err.toString());
        assertEquals("", out.toString());
    }
}

package dev.r1j.sft;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.r1j.core.Djl;
import dev.r1j.core.io.Checkpoint;
import dev.r1j.core.io.LoadedModel;
import dev.r1j.core.io.TrainingCheckpoint;
import dev.r1j.core.model.CausalLM;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.model.Transformer;
import dev.r1j.core.testing.RootManager;
import dev.r1j.core.tokenizer.CharTokenizer;
import dev.r1j.core.train.PaddedBatch;
import dev.r1j.core.train.StopRequest;
import dev.r1j.core.train.TokenSequence;
import dev.r1j.core.train.TrainingStopped;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SFT on the real {@link Transformer}: masking, packing equivalence, learning, held-out loss and exact resume. */
class SftTrainerTest {
    static final CharTokenizer TOK = SftDataTest.TOK;
    @RootManager static NDManager root;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        System.setProperty("r1j.fsync", "false");
    }

    private static Transformer model(long seed) {
        return Transformer.create(ModelConfig.llama(TOK.vocabSize(), 32, 64, 2, 4, 2, 128), root, seed);
    }

    private static List<TokenSequence> arithmetic(int n) {
        SftEncoder enc = new SftEncoder(TOK, SftFormat.defaults());
        List<TokenSequence> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int a = (i * 7) % 10, b = (i * 3 + 1) % 10;
            out.add(enc.promptCompletion(a + "+" + b + "=", Integer.toString(a + b)));
        }
        return out;
    }

    @Test
    void maskedPositionsGetNoGradientAndTheirLabelsDoNotMatter() {
        TokenSequence a = new SftEncoder(TOK, SftFormat.defaults()).promptCompletion("12+7=", "19");
        // the same completion after a different prompt label at position 2 ('2' -> '5')
        int[] ids = a.ids().clone();
        ids[2] = TOK.encode("5")[0];
        TokenSequence b = new TokenSequence(ids, a.target());
        try (Transformer m = model(1); NDManager s = root.newSubManager()) {
            PaddedBatch ba = PaddedBatch.of(List.of(a), 0, s);
            PaddedBatch bb = PaddedBatch.of(List.of(b), 0, s);
            NDArray logits = NextTokenLoss.logits(m, ba).stopGradient();
            logits.setRequiresGradient(true);
            float lossA, lossB;
            try (GradientCollector gc = Djl.engine().newGradientCollector()) {
                NDArray l = NextTokenLoss.fromLogits(logits, ba);
                lossA = l.getFloat();
                gc.backward(l);
            }
            float[] g = logits.getGradient().toFloatArray();
            int v = TOK.vocabSize();
            for (int t = 0; t < a.length(); t++) {
                double abs = 0;
                for (int k = 0; k < v; k++) abs += Math.abs(g[t * v + k]);
                // logits at t score token t+1: a gradient exactly where t+1 is a completion token
                boolean scoresTarget = t + 1 < a.length() && a.target()[t + 1];
                if (scoresTarget) assertTrue(abs > 1e-4, "position " + t + " must get a gradient");
                else assertEquals(0.0, abs, 0.0, "position " + t + " is masked");
            }
            // a prompt label changed (same logits): loss and gradient identical
            logits.getGradient().muli(0f);
            try (GradientCollector gc = Djl.engine().newGradientCollector()) {
                NDArray l = NextTokenLoss.fromLogits(logits, bb);
                lossB = l.getFloat();
                gc.backward(l);
            }
            assertEquals(lossA, lossB, 0.0);
            assertArrayEquals(g, logits.getGradient().toFloatArray(), 0f);
            // and the loss is the hand-computed mean over the 3 completion tokens ("19", EOS)
            float[] lg = logits.toFloatArray();
            double sum = 0;
            for (int t = 0; t + 1 < a.length(); t++) {
                if (!a.target()[t + 1]) continue;
                double max = Double.NEGATIVE_INFINITY, z = 0;
                for (int k = 0; k < v; k++) max = Math.max(max, lg[t * v + k]);
                for (int k = 0; k < v; k++) z += Math.exp(lg[t * v + k] - max);
                sum -= lg[t * v + a.ids()[t + 1]] - max - Math.log(z);
            }
            assertEquals(sum / 3, lossA, 1e-5);
        }
    }

    private static Map<String, float[]> gradients(CausalLM m, PaddedBatch batch, float[] lossOut) {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (GradientCollector gc = Djl.engine().newGradientCollector()) {
            NDArray l = NextTokenLoss.mean(m, batch);
            lossOut[0] = l.getFloat();
            gc.backward(l);
        }
        for (Map.Entry<String, NDArray> e : m.parameters().entrySet()) {
            try (NDArray g = e.getValue().getGradient()) {
                out.put(e.getKey(), g.toFloatArray());
                g.muli(0f);
            }
        }
        return out;
    }

    @Test
    void packedAndUnpackedBatchesGiveTheSameLossAndGradients() {
        List<TokenSequence> ex = arithmetic(5);
        try (Transformer m = model(2); NDManager s = root.newSubManager()) {
            float[] lu = new float[1], lp = new float[1];
            Map<String, float[]> gu = gradients(m, PaddedBatch.of(ex, 0, s), lu);
            List<List<TokenSequence>> rows = Packer.pack(ex, 24);
            assertTrue(rows.size() < ex.size(), "several examples share a row");
            Map<String, float[]> gp = gradients(m, PaddedBatch.packed(rows, 0, s), lp);
            assertEquals(lu[0], lp[0], 1e-5);
            double maxDiff = 0, maxAbs = 0;
            for (String k : gu.keySet()) {
                for (int i = 0; i < gu.get(k).length; i++) {
                    maxDiff = Math.max(maxDiff, Math.abs(gu.get(k)[i] - gp.get(k)[i]));
                    maxAbs = Math.max(maxAbs, Math.abs(gu.get(k)[i]));
                }
            }
            assertTrue(maxAbs > 1e-3, "non-trivial gradients");
            assertTrue(maxDiff < 1e-5, "gradients differ by " + maxDiff);
        }
    }

    @Test
    void lossFallsOnAMemorisationTaskWithPackingAndHeldOutLossIsReported() {
        List<TokenSequence> data = arithmetic(12);
        TrainEvalSplit<TokenSequence> split = TrainEvalSplit.of(data, 0.25, 1);
        SftOptions o = new SftOptions(TrainingOptions.builder().maxSteps(50).batchSize(2).maxLength(16)
                .learningRate(1e-2).warmupSteps(5).seed(3).build(), true, 25);
        try (Transformer m = model(4); SftTrainer t = new SftTrainer(m, o, split.train(), split.eval(), TOK.padId())) {
            assertTrue(t.trainRows() < split.train().size(), "packed: " + t.trainRows() + " rows");
            double before = t.evaluate();
            List<EvalMetrics> evals = new ArrayList<>();
            SftTrainer.Result r = t.train(new SftTrainer.Listener() {
                public void onStep(StepMetrics s) {}
                public void onEval(EvalMetrics e) { evals.add(e); }
            }, null, null);
            assertEquals(50, r.steps().size());
            double first = r.steps().get(0).loss();
            assertTrue(first > 2.5, "initial loss ~ln(vocab): " + first);
            double lastMean = r.steps().subList(40, 50).stream().mapToDouble(StepMetrics::loss).average().orElseThrow();
            assertTrue(lastMean < 0.5, "memorised: " + lastMean);
            assertEquals(List.of(25, 50), evals.stream().map(EvalMetrics::step).toList());
            assertEquals(split.eval().stream().mapToInt(TokenSequence::targetCount).sum(), evals.get(0).tokens());
            assertTrue(evals.get(1).loss() < before, "held-out loss " + before + " -> " + evals.get(1).loss());
        }
    }

    @Test
    void gradientAccumulationTrainsLikeOneBatch() {
        List<TokenSequence> data = arithmetic(9);
        List<List<Double>> runs = new ArrayList<>();
        for (int k : new int[] {1, 3}) {
            for (boolean packing : new boolean[] {false, true}) {
                SftOptions o = new SftOptions(TrainingOptions.builder().maxSteps(3).batchSize(3).maxLength(16)
                        .learningRate(5e-3).gradientAccumulationSteps(k).seed(2).build(), packing, 0);
                List<Double> losses = new ArrayList<>();
                try (Transformer m = model(6); SftTrainer t = new SftTrainer(m, o, data, List.of(), TOK.padId())) {
                    t.train(s -> losses.add(s.loss()), null, null);
                }
                runs.add(losses);
            }
        }
        for (int i = 0; i < 3; i++) {
            assertEquals(runs.get(0).get(i), runs.get(2).get(i), 1e-5, "unpacked, step " + (i + 1));
            assertEquals(runs.get(1).get(i), runs.get(3).get(i), 1e-5, "packed, step " + (i + 1));
        }
    }

    @Test
    void resumingFromACheckpointGivesTheLossesOfAnUninterruptedRun() throws Exception {
        List<TokenSequence> data = arithmetic(10);
        SftOptions o = new SftOptions(TrainingOptions.builder().epochs(3).batchSize(3).maxLength(20)
                .learningRate(5e-3).warmupSteps(2).saveEvery(4).seed(9).build(), false, 0);
        List<Double> straight = new ArrayList<>();
        try (Transformer m = model(5); SftTrainer t = new SftTrainer(m, o, data, List.of(), TOK.padId())) {
            assertEquals(10, t.totalSteps());
            t.train(s -> straight.add(s.loss()), null, null);
        }
        Path ckpt = dir.resolve("checkpoint");
        List<Double> first = new ArrayList<>();
        try (Transformer m = model(5); SftTrainer t = new SftTrainer(m, o, data, List.of(), TOK.padId())) {
            RuntimeException crash = assertThrows(RuntimeException.class, () -> t.train(s -> {
                first.add(s.loss());
                if (s.step() == 6) throw new RuntimeException("simulated crash");
            }, ckpt, TOK));
            assertEquals("simulated crash", crash.getMessage());
        }
        assertEquals(4, TrainingCheckpoint.readState(ckpt).step(), "the last save was at step 4");
        List<Double> resumed = new ArrayList<>();
        try (LoadedModel lm = Checkpoint.load(ckpt, root);
                SftTrainer t = new SftTrainer(lm.model(), o, data, List.of(), TOK.padId())) {
            t.resumeFrom(ckpt);
            assertEquals(4, t.stepsDone());
            t.train(s -> resumed.add(s.loss()), ckpt, TOK);
        }
        assertEquals(6, resumed.size());
        for (int i = 0; i < 6; i++) assertEquals(straight.get(4 + i), resumed.get(i), 1e-6, "step " + (5 + i));
        assertEquals(straight.subList(0, 6), first);
        assertEquals(10, TrainingCheckpoint.readState(ckpt).step());
        assertTrue(Files.isRegularFile(ckpt.resolve("model.safetensors")));
    }

    @Test
    void aStopRequestCheckpointsTheStepJustDoneAndTheResumeMatchesAnUninterruptedRun() throws Exception {
        List<TokenSequence> data = arithmetic(10);
        SftOptions o = new SftOptions(TrainingOptions.builder().epochs(3).batchSize(3).maxLength(20)
                .learningRate(5e-3).warmupSteps(2).saveEvery(4).seed(9).build(), false, 0);
        List<Double> straight = new ArrayList<>();
        try (Transformer m = model(5); SftTrainer t = new SftTrainer(m, o, data, List.of(), TOK.padId())) {
            t.train(s -> straight.add(s.loss()), null, null);
        }
        Path ckpt = dir.resolve("stopped");
        try (Transformer m = model(5); SftTrainer t = new SftTrainer(m, o, data, List.of(), TOK.padId())) {
            // the signal arrives during step 6, between save_every's checkpoints (4 and 8)
            TrainingStopped stop = assertThrows(TrainingStopped.class, () -> t.train(s -> {
                if (s.step() == 6) StopRequest.request("test stop");
            }, ckpt, TOK));
            assertEquals(6, stop.stepsDone());
            assertTrue(stop.checkpointed());
        } finally {
            StopRequest.clear();
        }
        assertEquals(6, TrainingCheckpoint.readState(ckpt).step(), "the stop wrote the step it stopped at");
        List<Double> resumed = new ArrayList<>();
        try (LoadedModel lm = Checkpoint.load(ckpt, root);
                SftTrainer t = new SftTrainer(lm.model(), o, data, List.of(), TOK.padId())) {
            t.resumeFrom(ckpt);
            t.train(s -> resumed.add(s.loss()), ckpt, TOK);
        }
        assertEquals(straight.subList(6, 10), resumed, "bit-identical losses after the stop");
    }
}

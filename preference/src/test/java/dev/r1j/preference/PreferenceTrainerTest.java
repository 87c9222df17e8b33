package dev.r1j.preference;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.r1j.core.io.Checkpoint;
import dev.r1j.core.io.LoadedModel;
import dev.r1j.core.model.CausalLM;
import dev.r1j.core.model.KVCache;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.model.Transformer;
import dev.r1j.core.testing.RootManager;
import dev.r1j.core.tokenizer.CharTokenizer;
import dev.r1j.core.train.StopRequest;
import dev.r1j.core.train.TrainingStopped;
import dev.r1j.sft.TrainingOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Preference tuning of a tiny real {@link Transformer}: the implicit reward margin grows, references are cached. */
class PreferenceTrainerTest {
    static final CharTokenizer TOK = new CharTokenizer("0123456789+=", null);
    @RootManager static NDManager root;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        System.setProperty("r1j.fsync", "false");
    }

    private static Transformer model(long seed) {
        return Transformer.create(ModelConfig.llama(TOK.vocabSize(), 32, 64, 2, 4, 2, 64), root, seed);
    }

    static List<PreferencePair> pairs() {
        List<PreferencePair> out = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            int a = i, b = (3 * i + 2) % 10;
            out.add(new PreferencePair(a + "+" + b + "=", Integer.toString(a + b), Integer.toString(a + b + 1)));
        }
        return out;
    }

    private static PreferenceOptions options(PreferenceLossType type, double beta, int epochs) {
        return new PreferenceOptions(type, beta, 0.5, TrainingOptions.builder().epochs(epochs).batchSize(4)
                .maxLength(16).learningRate(5e-3).seed(1).build());
    }

    /** Delegates to a model and counts forward passes. */
    static final class Counting implements CausalLM {
        final CausalLM inner;
        int forwards;

        Counting(CausalLM inner) {
            this.inner = inner;
        }

        public ModelConfig config() { return inner.config(); }
        public NDArray forward(NDArray ids, NDArray mask, KVCache cache) { forwards++; return inner.forward(ids, mask, cache); }
        public KVCache newCache(int batch, int maxLength) { return inner.newCache(batch, maxLength); }
        public Map<String, NDArray> parameters() { return inner.parameters(); }
        public NDManager manager() { return inner.manager(); }
        public void close() { inner.close(); }
    }

    @ParameterizedTest
    @EnumSource(PreferenceLossType.class)
    void theRewardMarginGrowsAndReferencesAreScoredOnce(PreferenceLossType type) {
        double beta = type == PreferenceLossType.SIMPO ? 2.0 : 0.1;
        try (Transformer policy = model(3); Counting ref = new Counting(model(3));
                PreferenceTrainer t = new PreferenceTrainer(policy, ref, options(type, beta, 3), pairs(), TOK)) {
            assertEquals(6, t.totalSteps());
            List<PreferenceStepMetrics> m = t.train(null, null);
            assertEquals(6, m.size());
            // 8 pairs in batches of 4: two reference forwards in all, whatever the number of epochs
            assertEquals(type.needsReference() ? 2 : 0, ref.forwards);
            PreferenceStepMetrics first = m.get(0), last = m.get(5);
            if (type.needsReference()) assertEquals(0.0, first.rewardMargin(), 1e-6, "policy == reference at step 1");
            assertTrue(last.rewardMargin() > first.rewardMargin() + 0.02,
                    type + ": margin " + first.rewardMargin() + " -> " + last.rewardMargin());
            assertTrue(last.loss() < first.loss(), type + ": loss " + first.loss() + " -> " + last.loss());
            assertEquals(last.chosenReward() - last.rejectedReward(), last.rewardMargin(), 1e-6);
            assertEquals(1.0, last.accuracy(), 1e-9, type + ": every pair ranked right after training");
            assertEquals(4, last.pairs());
        }
    }

    @ParameterizedTest
    @EnumSource(value = PreferenceLossType.class, names = {"SIGMOID", "ORPO"})
    void gradientAccumulationTrainsLikeOneBatch(PreferenceLossType type) {
        List<List<Double>> runs = new ArrayList<>();
        for (int k : new int[] {1, 3}) {
            PreferenceOptions o = new PreferenceOptions(type, 0.1, 0.5, TrainingOptions.builder().maxSteps(3)
                    .batchSize(4).maxLength(16).learningRate(5e-3).gradientAccumulationSteps(k).seed(1).build());
            List<Double> losses = new ArrayList<>();
            try (Transformer policy = model(9); PreferenceTrainer t = new PreferenceTrainer(policy, null, o, pairs(), TOK)) {
                t.train(m -> losses.add(m.loss()), null);
            }
            runs.add(losses);
        }
        // Step 1 is before any update: the accumulated loss must equal the one-batch loss to float precision. Later
        // steps follow AdamW updates, which turn float32 summation-order noise in near-zero gradients into whole
        // lr-sized steps (m / sqrt(v) is about +-1 there), so they agree only to ~1e-4; PreferenceLossTest
        // .partsNormalisedByTheWholeBatchAddUpToIt checks that the micro-batch parts add up to the whole batch.
        assertEquals(runs.get(0).get(0), runs.get(1).get(0), 1e-6, "step 1");
        for (int i = 1; i < 3; i++) assertEquals(runs.get(0).get(i), runs.get(1).get(i), 1e-3, "step " + (i + 1));
    }

    @Test
    void withoutAReferenceModelThePolicyBeforeTrainingIsTheReference() {
        List<PreferenceStepMetrics> own, separate;
        try (Transformer policy = model(5);
                PreferenceTrainer t = new PreferenceTrainer(policy, null, options(PreferenceLossType.SIGMOID, 0.1, 1),
                        pairs(), TOK)) {
            own = t.train(null, null);
        }
        try (Transformer policy = model(5); Transformer ref = model(5);
                PreferenceTrainer t = new PreferenceTrainer(policy, ref, options(PreferenceLossType.SIGMOID, 0.1, 1),
                        pairs(), TOK)) {
            separate = t.train(null, null);
        }
        for (int i = 0; i < own.size(); i++) assertEquals(separate.get(i).loss(), own.get(i).loss(), 1e-6);
    }

    @Test
    void resumingUsesTheCachedReferenceAndMatchesAnUninterruptedRun() {
        PreferenceOptions o = new PreferenceOptions(PreferenceLossType.SIGMOID, 0.1, 0.5, TrainingOptions.builder()
                .epochs(3).batchSize(4).maxLength(16).learningRate(5e-3).saveEvery(2).seed(1).build());
        List<Double> straight = new ArrayList<>();
        try (Transformer policy = model(7); PreferenceTrainer t = new PreferenceTrainer(policy, null, o, pairs(), TOK)) {
            t.train(m -> straight.add(m.loss()), null);
        }
        Path ckpt = dir.resolve("ckpt");
        try (Transformer policy = model(7); PreferenceTrainer t = new PreferenceTrainer(policy, null, o, pairs(), TOK)) {
            assertThrows(IllegalStateException.class, () -> t.train(m -> {
                if (m.step() == 3) throw new IllegalStateException("simulated crash");
            }, ckpt));
        }
        assertTrue(Files.isRegularFile(ckpt.resolve(ReferenceLogProbs.FILE)));
        List<Double> resumed = new ArrayList<>();
        try (LoadedModel lm = Checkpoint.load(ckpt, root);
                PreferenceTrainer t = new PreferenceTrainer(lm.model(), null, o, pairs(), TOK)) {
            t.resumeFrom(ckpt);
            assertEquals(2, t.stepsDone());
            t.train(m -> resumed.add(m.loss()), ckpt);
        }
        assertEquals(4, resumed.size());
        for (int i = 0; i < 4; i++) assertEquals(straight.get(2 + i), resumed.get(i), 1e-6, "step " + (3 + i));
    }

    @Test
    void aStopRequestCheckpointsTheStepJustDoneAndTheResumeMatchesAnUninterruptedRun() {
        PreferenceOptions o = new PreferenceOptions(PreferenceLossType.SIGMOID, 0.1, 0.5, TrainingOptions.builder()
                .epochs(3).batchSize(4).maxLength(16).learningRate(5e-3).saveEvery(4).seed(1).build());
        List<Double> straight = new ArrayList<>();
        try (Transformer policy = model(7); PreferenceTrainer t = new PreferenceTrainer(policy, null, o, pairs(), TOK)) {
            t.train(m -> straight.add(m.loss()), null);
        }
        Path ckpt = dir.resolve("stopped");
        try (Transformer policy = model(7); PreferenceTrainer t = new PreferenceTrainer(policy, null, o, pairs(), TOK)) {
            TrainingStopped stop = assertThrows(TrainingStopped.class, () -> t.train(m -> {
                if (m.step() == 3) StopRequest.request("test stop");
            }, ckpt));
            assertEquals(3, stop.stepsDone());
        } finally {
            StopRequest.clear();
        }
        List<Double> resumed = new ArrayList<>();
        try (LoadedModel lm = Checkpoint.load(ckpt, root);
                PreferenceTrainer t = new PreferenceTrainer(lm.model(), null, o, pairs(), TOK)) {
            t.resumeFrom(ckpt);
            assertEquals(3, t.stepsDone(), "the stop wrote the step it stopped at, between save_every's 0 and 4");
            t.train(m -> resumed.add(m.loss()), ckpt);
        }
        assertEquals(straight.subList(3, straight.size()), resumed, "bit-identical losses after the stop");
    }

    @Test
    void aPairTheTokenizerCannotEncodeIsNamedByFileAndLine() throws Exception {
        Path file = dir.resolve("pairs.jsonl");
        Files.writeString(file, "{\"prompt\": \"1+1=\", \"chosen\": \"2\", \"rejected\": \"3\"}\n"
                + "{\"prompt\": \"1+1=\", \"chosen\": \"2\", \"rejected\": \"\u00e9\"}\n");
        PreferenceOptions o = new PreferenceOptions(PreferenceLossType.SIGMOID, 0.1, 0.5, TrainingOptions.builder()
                .epochs(1).batchSize(2).maxLength(16).build());
        try (Transformer policy = model(7)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new PreferenceTrainer(policy, null, o, PreferenceDataset.read(file), TOK));
            assertTrue(e.getMessage().startsWith(file + ":2: "), e.getMessage());
            assertTrue(e.getMessage().contains("'\u00e9'"), e.getMessage());
        }
    }
}

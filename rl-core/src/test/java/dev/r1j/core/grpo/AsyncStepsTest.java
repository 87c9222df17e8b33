package dev.r1j.core.grpo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.model.Transformer;
import dev.r1j.core.sampling.Completion;
import dev.r1j.core.sampling.CompletionGroup;
import dev.r1j.core.sampling.Prompt;
import dev.r1j.core.sampling.Sampler;
import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.core.testing.RootManager;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code async_steps} and the sampler-vs-trainer metrics on a tiny llama: the local sampler's gap is ~0 at
 * temperature 1, a shifted sampler is measured and corrected, an async run samples step s from the weights of step
 * s - 1 - k, repeats itself exactly, and resumes from a checkpoint with its pre-generated batch neither lost nor
 * generated twice.
 */
class AsyncStepsTest {
    private static final String ALPHA = "abcdefgh";
    private static final List<Prompt> PROMPTS = List.of(new Prompt("ab", Map.of()), new Prompt("c", Map.of()),
            new Prompt("hd", Map.of()), new Prompt("gaf", Map.of()), new Prompt("e", Map.of()));
    private @RootManager static NDManager root;

    private static GrpoConfig.Builder base() {
        return GrpoConfig.builder().groupSize(4).maxNewTokens(3).promptsPerStep(2).learningRate(0.05).seed(3);
    }

    private static Transformer model(int seed) {
        return Transformer.create(ModelConfig.tinyLlama(ALPHA.length()), root, seed);
    }

    /** The metrics that do not depend on timing. */
    private static Map<String, Object> timeless(GrpoStepMetrics m) {
        Map<String, Object> out = new LinkedHashMap<>(m.toMap());
        out.keySet().removeIf(k -> k.startsWith("time_") || k.equals("elapsed_s") || k.equals("tokens_per_s")
                || k.endsWith("idle_s"));
        return out;
    }

    @Test
    void theLocalSamplersGapIsZeroAtTemperatureOneAndTheCorrectionChangesNothing() {
        for (int iterations : new int[] {1, 2}) {
            GrpoConfig cfg = base().steps(1).numIterations(iterations)
                    .rolloutCorrection(new RolloutCorrection(CorrectionMode.TIS, 1.01, ImportanceSamplingLevel.TOKEN))
                    .build();
            try (Transformer model = model(7);
                    GrpoTrainer trainer = new GrpoTrainer(model, null, new CharSampler(model, ALPHA),
                            GrpoTrainerTest.STARTS_WITH_E, cfg)) {
                GrpoStepMetrics m = trainer.step(new PromptSource(PROMPTS, 1));
                Map<String, Double> x = m.extra();
                assertTrue(x.get("rollout_corr/logprob_diff_max") < 1e-4, x.toString());
                assertTrue(x.get("rollout_corr/logprob_diff_mean") < 1e-5, x.toString());
                assertTrue(Math.abs(x.get("rollout_corr/kl_k3")) < 1e-8, x.toString());
                assertEquals(0.0, x.get("rollout_corr/frac_corrected"), x.toString()); // no ratio above 1.01
            }
        }
    }

    /** A sampler whose log-probs are 0.5 below its model's: every ratio is e^0.5 = 1.65. */
    private static Sampler shifted(Sampler inner) {
        return (prompts, params) -> {
            List<CompletionGroup> out = new ArrayList<>();
            for (CompletionGroup g : inner.sample(prompts, params)) {
                List<Completion> cs = new ArrayList<>();
                for (Completion c : g.completions()) {
                    float[] lp = c.logprobs().clone();
                    for (int i = 0; i < lp.length; i++) lp[i] -= 0.5f;
                    cs.add(new Completion(c.tokenIds(), c.text(), lp, c.finishReason()));
                }
                out.add(new CompletionGroup(g.prompt(), g.promptTokenIds(), cs));
            }
            return out;
        };
    }

    @Test
    void aShiftedSamplerIsMeasuredAndMaskedOrTruncated() {
        for (CorrectionMode mode : new CorrectionMode[] {CorrectionMode.NONE, CorrectionMode.TIS, CorrectionMode.MIS}) {
            GrpoConfig cfg = base().steps(1)
                    .rolloutCorrection(new RolloutCorrection(mode, 1.5, ImportanceSamplingLevel.TOKEN)).build();
            try (Transformer model = model(7);
                    GrpoTrainer trainer = new GrpoTrainer(model, null, shifted(new CharSampler(model, ALPHA)),
                            GrpoTrainerTest.STARTS_WITH_E, cfg)) {
                GrpoStepMetrics m = trainer.step(new PromptSource(PROMPTS, 1));
                Map<String, Double> x = m.extra();
                assertEquals(0.5, x.get("rollout_corr/logprob_diff_mean"), 1e-4, mode.toString());
                assertEquals(-0.5, x.get("rollout_corr/kl_k1"), 1e-4, mode.toString());
                assertEquals(Math.exp(0.5) - 1.5, x.get("rollout_corr/kl_k3"), 1e-4, mode.toString());
                assertEquals(mode == CorrectionMode.NONE ? 0.0 : 1.0, x.get("rollout_corr/frac_corrected"), mode.toString());
                assertTrue(m.rewardStd() > 0, "the batch must carry signal: " + m);
                if (mode == CorrectionMode.MIS) { // every token dropped: no policy term, no gradient
                    assertEquals(0.0, m.loss(), 1e-9);
                    assertEquals(0.0, m.gradNorm(), 1e-9);
                } else {
                    assertTrue(m.gradNorm() > 0, mode + ": " + m.gradNorm());
                }
            }
        }
    }

    @Test
    void aCorrectionWithoutSamplerLogProbsIsRefused() {
        GrpoConfig cfg = base().steps(1)
                .rolloutCorrection(new RolloutCorrection(CorrectionMode.TIS, 2, ImportanceSamplingLevel.TOKEN)).build();
        try (Transformer model = model(7)) {
            CharSampler inner = new CharSampler(model, ALPHA);
            Sampler noLogprobs = (prompts, params) -> inner.sample(prompts, params).stream()
                    .map(g -> new CompletionGroup(g.prompt(), g.promptTokenIds(), g.completions().stream()
                            .map(c -> new Completion(c.tokenIds(), c.text(), null, c.finishReason())).toList()))
                    .toList();
            try (GrpoTrainer trainer = new GrpoTrainer(model, null, noLogprobs, GrpoTrainerTest.STARTS_WITH_E, cfg)) {
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> trainer.step(new PromptSource(PROMPTS, 1)));
                assertTrue(e.getMessage().contains("rollout_correction tis needs the sampler's log-probs"), e.getMessage());
            }
            // without a correction the step runs and the gap is unknown
            try (GrpoTrainer trainer = new GrpoTrainer(model, null, noLogprobs, GrpoTrainerTest.STARTS_WITH_E,
                    base().steps(1).build())) {
                GrpoStepMetrics m = trainer.step(new PromptSource(PROMPTS, 1));
                assertTrue(Double.isNaN(m.extra().get("rollout_corr/logprob_diff_mean")));
            }
        }
    }

    /** A run of {@code steps} with {@code asyncSteps}, the policy and the sampler's snapshot both from seed 7. */
    private static List<GrpoStepMetrics> run(GrpoConfig cfg, List<List<ScoredCompletion>> completions) {
        return run(cfg, completions, cfg.asyncSteps() > 0, 7);
    }

    /** {@code snapshotSeed}: the snapshot model's initial weights (the sync must overwrite them before sampling). */
    private static List<GrpoStepMetrics> run(GrpoConfig cfg, List<List<ScoredCompletion>> completions,
            boolean viaSnapshot, int snapshotSeed) {
        try (Transformer policy = model(7); Transformer snapshot = model(snapshotSeed);
                GrpoTrainer trainer = new GrpoTrainer(policy, null,
                        new CharSampler(viaSnapshot ? snapshot : policy, ALPHA), GrpoTrainerTest.STARTS_WITH_E, cfg)) {
            if (viaSnapshot) trainer.setWeightSync(new PolicySnapshot(snapshot));
            List<GrpoStepMetrics> out = new ArrayList<>();
            PromptSource source = new PromptSource(PROMPTS, 1);
            while (trainer.stepsDone() < cfg.steps()) {
                out.add(trainer.step(source));
                if (completions != null) completions.add(trainer.lastCompletions());
            }
            return out;
        }
    }

    @Test
    void anAsyncRunSamplesFromStaleWeightsAndRepeatsItselfExactly() {
        GrpoConfig cfg = base().steps(4).asyncSteps(1).build();
        List<List<ScoredCompletion>> completions = new ArrayList<>();
        List<GrpoStepMetrics> a = run(cfg, completions);
        List<GrpoStepMetrics> b = run(cfg, null);
        List<GrpoStepMetrics> sync = run(cfg.toBuilder().asyncSteps(0).build(), null);
        for (int i = 0; i < 4; i++) assertEquals(timeless(a.get(i)), timeless(b.get(i)), "step " + (i + 1));
        assertEquals(List.of(0.0, 1.0, 1.0, 1.0), a.stream().map(m -> m.extra().get("async/staleness")).toList());
        // step 1 is the same batch either way; step 2 is sampled from the start weights, not from step 1's
        assertEquals(timeless(sync.get(0)).get("reward_mean"), timeless(a.get(0)).get("reward_mean"));
        assertNotEquals(timeless(sync.get(2)), timeless(a.get(2)));
        try (Transformer start = model(7); GrpoTrainer seeds = new GrpoTrainer(start, null, null, null, cfg)) {
            PromptSource source = new PromptSource(PROMPTS, 1);
            source.next(2); // step 1's prompts
            List<Prompt> step2 = source.next(2);
            List<CompletionGroup> want = new CharSampler(start, ALPHA).sample(step2.stream().map(Prompt::prompt).toList(),
                    cfg.samplingParams(seeds.samplingSeed(2, 0)));
            List<ScoredCompletion> got = completions.get(1);
            for (int i = 0; i < got.size(); i++) {
                Completion w = want.get(i / cfg.groupSize()).completions().get(i % cfg.groupSize());
                assertArrayEquals(w.tokenIds(), got.get(i).completion().tokenIds(), "completion " + i);
                assertArrayEquals(w.logprobs(), got.get(i).completion().logprobs(), 0f, "completion " + i);
            }
        }
        // the off-policy gap of a stale batch is measured: step 2's sampler lags the trainer by one update
        assertTrue(a.get(1).extra().get("rollout_corr/logprob_diff_mean") > 1e-4, a.get(1).extra().toString());
        assertTrue(a.get(0).extra().get("rollout_corr/logprob_diff_mean") < 1e-5, a.get(0).extra().toString());
    }

    /** The snapshot starts from other weights: only exact copies at the start and after every step give equality. */
    @Test
    void aSynchronousRunThroughASnapshotEqualsOneOnThePolicy() {
        GrpoConfig cfg = base().steps(3).build();
        List<GrpoStepMetrics> direct = run(cfg, null, false, 7);
        List<GrpoStepMetrics> snap = run(cfg, null, true, 12);
        for (int i = 0; i < 3; i++) assertEquals(timeless(direct.get(i)), timeless(snap.get(i)), "step " + (i + 1));
        assertNotEquals(direct.get(0).loss(), direct.get(2).loss()); // the policy moved between steps
    }

    @Test
    void asyncWithoutAWeightSyncIsRefused() {
        try (Transformer model = model(7); GrpoTrainer trainer = new GrpoTrainer(model, null,
                new CharSampler(model, ALPHA), GrpoTrainerTest.STARTS_WITH_E, base().steps(2).asyncSteps(1).build())) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> trainer.step(new PromptSource(PROMPTS, 1)));
            assertTrue(e.getMessage().contains("WeightSync"), e.getMessage());
        }
    }

    /**
     * A checkpoint after step 2 of an async_steps 2 run (steps 3 and 4 already generated) resumed into a new trainer
     * logs the uninterrupted run's steps 3 to 5.
     */
    @Test
    void aResumeNeitherLosesNorRepeatsThePreGeneratedBatches() {
        GrpoConfig cfg = base().steps(5).asyncSteps(2).build();
        List<GrpoStepMetrics> whole = run(cfg, null);

        Map<String, float[]> weights = new LinkedHashMap<>();
        Map<String, NDArray> adam;
        String pending;
        NDManager keep = root.newSubManager();
        long position;
        try (Transformer policy = model(7); Transformer snapshot = model(7);
                GrpoTrainer first = new GrpoTrainer(policy, null, new CharSampler(snapshot, ALPHA),
                        GrpoTrainerTest.STARTS_WITH_E, cfg);
                NDManager m = root.newSubManager()) {
            first.setWeightSync(new PolicySnapshot(snapshot));
            PromptSource source = new PromptSource(PROMPTS, 1);
            for (int s = 1; s <= 2; s++) assertEquals(timeless(whole.get(s - 1)), timeless(first.step(source)));
            pending = first.pendingRolloutsJson();
            position = first.resumePosition();
            policy.parameters().forEach((k, v) -> weights.put(k, v.toFloatArray()));
            adam = first.optimizer().state(keep);
        }
        assertNotNull(pending);
        assertTrue(pending.contains("\"step\":3") && pending.contains("\"step\":4") && !pending.contains("\"step\":5"),
                pending);
        assertEquals(4 * 2, position, "the checkpoint's data position is past steps 3 and 4's prompts");

        try (Transformer policy = model(99); Transformer snapshot = model(98);
                GrpoTrainer resumed = new GrpoTrainer(policy, null, new CharSampler(snapshot, ALPHA),
                        GrpoTrainerTest.STARTS_WITH_E, cfg)) {
            policy.parameters().forEach((k, v) -> v.set(weights.get(k)));
            resumed.restore(2, adam, 0);
            resumed.setWeightSync(new PolicySnapshot(snapshot));
            PromptSource source = new PromptSource(PROMPTS, 1);
            source.seek(position);
            resumed.restorePending(pending, "checkpoint step-000002");
            for (int s = 3; s <= 5; s++) {
                GrpoStepMetrics got = resumed.step(source);
                assertEquals(timeless(whole.get(s - 1)), timeless(got), "step " + s);
            }
        }
        keep.close();
    }

    /**
     * Pending batches keep what the run knew of each completion: the weight version that produced it (a fleet's
     * tag, which completions.jsonl logs after a resume too) and a multi-turn episode's observation marks, without
     * which a resumed step would train on tool output.
     */
    @Test
    void pendingBatchesKeepWeightVersionsAndEpisodes() {
        boolean[] marks = {false, true, true, false};
        Completion served = new Completion(new int[] {1, 2, 3, 4}, "abcd", new float[] {-1f, 0f, 0f, -0.5f},
                dev.r1j.core.sampling.FinishReason.EOS, new dev.r1j.core.sampling.Episode(marks, 2, 1, 0, 1, 0.25), 6);
        Completion local = new Completion(new int[] {5}, "e", new float[] {-2f}, dev.r1j.core.sampling.FinishReason.LENGTH);
        Rollout r = new Rollout(4, 2, List.of(), List.of(), 1, 0, 0, List.of(new Rollout.Round(7, 1,
                List.of(new CompletionGroup("p", new int[] {0}, List.of(served, local))))));
        List<PendingRollouts.Raw> back = PendingRollouts.fromJson(PendingRollouts.toJson(List.of(r)), "test");
        List<Completion> cs = back.get(0).rounds().get(0).groups().get(0).completions();
        assertEquals(6, cs.get(0).weightVersion());
        assertEquals(Completion.LOCAL, cs.get(1).weightVersion());
        assertArrayEquals(marks, cs.get(0).episode().observation());
        assertEquals(List.of(2, 1, 0, 1), List.of(cs.get(0).episode().turns(), cs.get(0).episode().toolCalls(),
                cs.get(0).episode().toolErrors(), cs.get(0).episode().toolTimeouts()));
        assertEquals(0.25, cs.get(0).episode().reward());
        assertEquals(null, cs.get(1).episode());
    }

    /**
     * The generator fails while the trainer takes step 2 (the sampler throws on its third call: step 3's batch):
     * step 2 still completes and is checkpointable, with no pending batch and the data position of before step 3's
     * prompts (the failed draw is rewound); step 3 then throws the sampler's error.
     */
    @Test
    void aGeneratorFailureLetsTheStepStandAndRewindsTheFailedDraw() {
        GrpoConfig cfg = base().steps(4).asyncSteps(1).build();
        try (Transformer policy = model(7); Transformer snapshot = model(7)) {
            CharSampler inner = new CharSampler(snapshot, ALPHA);
            int[] calls = {0};
            Sampler failing = (prompts, params) -> {
                if (++calls[0] == 3) throw new IllegalStateException("no rollout server could take work");
                return inner.sample(prompts, params);
            };
            try (GrpoTrainer trainer = new GrpoTrainer(policy, null, failing, GrpoTrainerTest.STARTS_WITH_E, cfg)) {
                trainer.setWeightSync(new PolicySnapshot(snapshot));
                PromptSource source = new PromptSource(PROMPTS, 1);
                trainer.step(source);
                trainer.step(source);
                assertEquals(2, trainer.stepsDone());
                assertEquals(null, trainer.pendingRolloutsJson());
                assertEquals(2 * 2, trainer.resumePosition(), "steps 1 and 2 drew 2 prompts each; step 3's are rewound");
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> trainer.step(source));
                assertTrue(e.getMessage().contains("no rollout server"), e.getMessage());
                assertEquals(2, trainer.stepsDone());
            }
        }
    }
}

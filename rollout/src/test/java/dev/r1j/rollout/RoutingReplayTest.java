package dev.r1j.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.r1j.core.Djl;
import dev.r1j.core.grpo.CompletionLogProbs;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.model.RoutingReplay;
import dev.r1j.core.model.Transformer;
import dev.r1j.core.sampling.Completion;
import dev.r1j.core.sampling.CompletionGroup;
import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.core.testing.RootManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Routing replay end to end on a tiny deepseek_v3: {@link LocalSampler} records the experts of every fed token, and
 * the trainer's batched forward (the GRPO layout: left-padded prompts, right-padded completions) replays them.
 * After the router's correction bias is perturbed (it changes which experts are chosen, not their gate weights), the
 * replayed log-probs still equal the sampler's; without replay they do not, and the mismatch share says so.
 */
class RoutingReplayTest {
    static final TestCharTokenizer TOK = new TestCharTokenizer("abcdefghijklmnop");
    @RootManager static NDManager root;

    private record Sampled(List<int[]> prompts, List<Completion> completions) {}

    private static Transformer model(NDManager m) {
        Transformer model = Transformer.create(ModelConfig.tinyDeepSeekV3(TOK.vocabSize(), 12), m, 21);
        for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
            if (e.getKey().contains(".mlp.experts.")) e.getValue().muli(10); // experts that matter for the logits
        }
        return model;
    }

    private static Sampled sample(Transformer model) {
        List<CompletionGroup> groups = new LocalSampler(model, TOK).sample(List.of("abc", "hello", "p"),
                new SamplingParams(3, 8, 1.0, 1.0, 0, List.of(), 5));
        List<int[]> prompts = new ArrayList<>();
        List<Completion> completions = new ArrayList<>();
        for (CompletionGroup g : groups) {
            for (Completion c : g.completions()) {
                prompts.add(g.promptTokenIds());
                completions.add(c);
            }
        }
        return new Sampled(prompts, completions);
    }

    private static void perturbRouterBias(Transformer model) {
        Random r = new Random(8);
        for (int layer = 1; layer < 3; layer++) {
            float[] bias = new float[8];
            for (int j = 0; j < 8; j++) bias[j] = (float) r.nextGaussian();
            model.parameters().get("model.layers." + layer + ".mlp.gate.e_score_correction_bias").set(bias);
        }
    }

    /** Completion log-probs of the whole set in one padded batch, as GRPO lays it out; {@code [rows][C]}. */
    private static float[][] trainerLogProbs(Transformer model, Sampled s) {
        int n = s.prompts().size();
        int p = s.prompts().stream().mapToInt(a -> a.length).max().orElseThrow();
        int c = s.completions().stream().mapToInt(x -> x.tokenIds().length).max().orElseThrow();
        long[] ids = new long[n * (p + c)];
        long[] att = new long[n * (p + c)];
        for (int i = 0; i < n; i++) {
            int[] pr = s.prompts().get(i);
            int[] co = s.completions().get(i).tokenIds();
            for (int j = 0; j < pr.length; j++) {
                ids[i * (p + c) + p - pr.length + j] = pr[j];
                att[i * (p + c) + p - pr.length + j] = 1;
            }
            for (int j = 0; j < co.length; j++) {
                ids[i * (p + c) + p + j] = co[j];
                att[i * (p + c) + p + j] = 1;
            }
        }
        try (NDManager sm = root.newSubManager()) {
            float[] flat = Djl.withoutGradients(() -> CompletionLogProbs.compute(model, sm.create(ids, new Shape(n, p + c)),
                    sm.create(att, new Shape(n, p + c)), p, 1.0, false).logProbs().toFloatArray());
            float[][] out = new float[n][];
            for (int i = 0; i < n; i++) out[i] = java.util.Arrays.copyOfRange(flat, i * c, i * c + c);
            return out;
        }
    }

    private static double maxDiff(Sampled s, float[][] trainer) {
        double max = 0;
        for (int i = 0; i < s.completions().size(); i++) {
            float[] sampler = s.completions().get(i).logprobs();
            for (int j = 0; j < sampler.length; j++) max = Math.max(max, Math.abs(sampler[j] - trainer[i][j]));
        }
        return max;
    }

    @Test
    void replayedLogProbsEqualTheSamplersAfterTheRouterChangedAndUnreplayedOnesDoNot() {
        try (NDManager m = root.newSubManager(); Transformer model = model(m)) {
            RoutingReplay replay = new RoutingReplay(model.config());
            model.setExpertRouting(replay);
            replay.startRecording();
            Sampled s = sample(model);
            assertEquals(9, replay.trackCount(), "one track per sampled sequence");

            replay.startReplay(false);
            double sameWeights = maxDiff(s, trainerLogProbs(model, s));
            assertTrue(sameWeights < 1e-4, "same weights: trainer == sampler up to float error, " + sameWeights);
            assertTrue(replay.mismatchFraction() < 0.05, "same router: " + replay.mismatchFraction());

            perturbRouterBias(model);
            replay.startReplay(false);
            double without = maxDiff(s, trainerLogProbs(model, s));
            double mismatch = replay.mismatchFraction();
            replay.startReplay(true);
            double with = maxDiff(s, trainerLogProbs(model, s));

            assertTrue(mismatch > 0.3, "the perturbed router picks other experts for most tokens: " + mismatch);
            assertTrue(without > 1e-2, "without replay the log-probs move: max |diff| " + without);
            assertTrue(with < 1e-4, "with replay they equal the sampler's: max |diff| " + with);
            assertEquals(mismatch, replay.mismatchFraction(), 1e-12, "the mismatch is the router's, replayed or not");
        }
    }

    @Test
    void replayWithoutARecordedSequenceIsAnErrorAndADenseModelIsRefused() {
        try (NDManager m = root.newSubManager(); Transformer model = model(m)) {
            RoutingReplay replay = new RoutingReplay(model.config());
            model.setExpertRouting(replay);
            replay.startRecording();
            Sampled s = sample(model);
            replay.startRecording(); // forgets the tracks
            replay.startReplay(true);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> trainerLogProbs(model, s));
            assertTrue(e.getMessage().startsWith("routing_replay: no recorded routing"), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RoutingReplay(ModelConfig.tinyLlama(8)));
        assertTrue(e.getMessage().startsWith("routing_replay: "), e.getMessage());
    }
}

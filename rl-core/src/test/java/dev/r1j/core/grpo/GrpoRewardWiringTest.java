package dev.r1j.core.grpo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.r1j.core.sampling.Completion;
import dev.r1j.core.sampling.CompletionGroup;
import dev.r1j.core.sampling.FinishReason;
import dev.r1j.core.sampling.Prompt;
import dev.r1j.core.sampling.Sampler;
import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.core.testing.RootManager;
import dev.r1j.core.testing.TinyLM;
import dev.r1j.verifiers.CompositeVerifier;
import dev.r1j.verifiers.Sample;
import dev.r1j.verifiers.Verdict;
import dev.r1j.verifiers.Verifier;
import dev.r1j.verifiers.reward.OverlongPenaltyVerifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The trainer's use of the reward library: token counts in the sample reference, group rewards of a
 * {@link dev.r1j.verifiers.BatchReward}, per-reward statistics and {@code frac_reward_zero_std} in the metrics. A
 * scripted sampler returns known completions whose token counts differ from their text lengths, so a reward that read
 * characters instead of tokens would give other numbers.
 */
class GrpoRewardWiringTest {
    private static final List<Prompt> PROMPTS = List.of(new Prompt("a", Map.of("answer", "1")),
            new Prompt("b", Map.of("answer", "2")));
    @RootManager private static NDManager root;

    /** Prompt "a": texts and token counts chosen so that chars give no overlong penalty but tokens do. */
    private static final String[] TEXTS_A = {"e", "ea", "a", "ab"};
    private static final int[] TOKENS_A = {1, 4, 3, 5};

    /** Full credit when the completion starts with 'e'. */
    private static final Verifier STARTS_WITH_E = new Verifier() {
        @Override
        public String name() {
            return "e";
        }

        @Override
        public Verdict verify(Sample s) {
            return Verdict.of(s.completion().startsWith("e") ? 1.0 : 0.0, "e first?");
        }
    };

    /** Returns the scripted groups: TEXTS_A/TOKENS_A for "a", four one-token "a" completions for "b". */
    private static final Sampler SCRIPTED = new Sampler() {
        @Override
        public List<CompletionGroup> sample(List<String> prompts, SamplingParams params) {
            List<CompletionGroup> out = new ArrayList<>();
            for (String p : prompts) {
                List<Completion> cs = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    boolean a = p.equals("a");
                    int n = a ? TOKENS_A[i] : 1;
                    int[] ids = new int[n];
                    for (int t = 0; t < n; t++) ids[t] = (i + t) % 8;
                    cs.add(new Completion(ids, a ? TEXTS_A[i] : "a", null,
                            n >= params.maxNewTokens() ? FinishReason.LENGTH : FinishReason.EOS));
                }
                out.add(new CompletionGroup(p, new int[] {p.equals("a") ? 0 : 1}, cs));
            }
            return out;
        }
    };

    private static GrpoConfig config() {
        return GrpoConfig.builder().groupSize(4).maxNewTokens(5).promptsPerStep(2).learningRate(0.01).steps(1)
                .seed(3).build();
    }

    private static CompositeVerifier composite(CompositeVerifier.Combination c) {
        return new CompositeVerifier(List.of(new CompositeVerifier.Part("len", new OverlongPenaltyVerifier(4, 2, 1.0), 1.0),
                new CompositeVerifier.Part("e", STARTS_WITH_E, 0.5)), c);
    }

    private record Run(GrpoStepMetrics metrics, List<ScoredCompletion> completions) {}

    private static Run oneStep(Verifier v) {
        try (TinyLM model = TinyLM.bigram(root, 8, 4, 1);
                GrpoTrainer trainer = new GrpoTrainer(model, null, SCRIPTED, v, config())) {
            GrpoStepMetrics m = trainer.step(new PromptSource(PROMPTS, 1));
            return new Run(m, trainer.lastCompletions());
        }
    }

    private static List<ScoredCompletion> group(List<ScoredCompletion> all, String prompt) {
        return all.stream().filter(s -> s.prompt().prompt().equals(prompt)).toList();
    }

    @Test
    void samplesCarryTheTokenCountSoLengthRewardsUseTokens() {
        List<Object> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        Verifier recording = new Verifier() {
            @Override
            public String name() {
                return "recording";
            }

            @Override
            public Verdict verify(Sample s) {
                seen.add(s.completion() + "=" + s.completionTokens());
                assertEquals(s.prompt().equals("a") ? "1" : "2", s.referenceString("answer"), "the row's fields stay");
                return Verdict.of(0, "");
            }
        };
        oneStep(recording);
        List<Object> expected = new ArrayList<>(List.of("e=1", "ea=4", "a=3", "ab=5", "a=1", "a=1", "a=1", "a=1"));
        assertEquals(expected.stream().map(Object::toString).sorted().toList(),
                seen.stream().map(Object::toString).sorted().toList());

        // DAPO overlong over tokens with max 4, buffer 2: 0 up to 2 tokens, (2 - L) / 2 inside, -1 beyond 4.
        Run r = oneStep(composite(CompositeVerifier.Combination.WEIGHTED_SUM));
        double[] lenByHand = {0.0, -1.0, -0.5, -1.0};
        double[] eByHand = {1, 1, 0, 0};
        List<ScoredCompletion> a = group(r.completions(), "a");
        for (int i = 0; i < 4; i++) {
            ScoredCompletion s = byText(a, TEXTS_A[i]);
            assertEquals(lenByHand[i], CompositeVerifier.partRewards(s.verdict()).get("len"), 1e-12, TEXTS_A[i]);
            assertEquals(lenByHand[i] + 0.5 * eByHand[i], s.reward(), 1e-12, "weighted sum: the verdict's reward");
        }
    }

    @Test
    void normalizedSumRewardsComeFromTheGroupAndMetricsCarryEachReward() {
        Run r = oneStep(composite(CompositeVerifier.Combination.NORMALIZED_SUM));
        // Group "a": len values [0, -1, -0.5, -1] (mean -0.625, population std sqrt(0.171875)),
        // e values [1, 1, 0, 0] (mean 0.5, std 0.5) -> reward = z_len + 0.5 * z_e.
        double[] len = {0.0, -1.0, -0.5, -1.0};
        double[] e = {1, 1, 0, 0};
        // deviations 0.625, -0.375, 0.125, -0.375: squares sum to 0.6875, / 4 = 0.171875
        double lenStd = Math.sqrt(0.171875);
        List<ScoredCompletion> a = group(r.completions(), "a");
        for (int i = 0; i < 4; i++) {
            double expected = (len[i] + 0.625) / lenStd + 0.5 * (e[i] - 0.5) / 0.5;
            assertEquals(expected, byText(a, TEXTS_A[i]).reward(), 1e-9, TEXTS_A[i]);
        }
        // Group "b": every part is constant over the group, so it contributes 0.
        for (ScoredCompletion s : group(r.completions(), "b")) assertEquals(0.0, s.reward(), 0.0);

        Map<String, Object> json = r.metrics().toJson();
        assertEquals(0.5, (double) json.get("frac_reward_zero_std"), 0.0, "group b has all-equal rewards, a does not");
        // Raw rewards over the 8 completions: len = a's four and four zeros; e = [1, 1, 0, 0] and four zeros.
        double lenMean = (0 - 1 - 0.5 - 1) / 8.0;
        double lenVar = 0;
        for (double v : new double[] {0, -1, -0.5, -1, 0, 0, 0, 0}) lenVar += (v - lenMean) * (v - lenMean);
        assertEquals(lenMean, (double) json.get("reward/len_mean"), 1e-12);
        assertEquals(Math.sqrt(lenVar / 8), (double) json.get("reward/len_std"), 1e-12);
        assertEquals(0.25, (double) json.get("reward/e_mean"), 1e-12);
        assertEquals(Math.sqrt((2 * 0.75 * 0.75 + 6 * 0.25 * 0.25) / 8), (double) json.get("reward/e_std"), 1e-12);
        assertTrue(r.metrics().perReward().keySet().containsAll(List.of("len", "e")));
    }

    @Test
    void aPlainVerifierIsLoggedAsOneRewardAndZeroStdCountsEveryGroup() {
        Run r = oneStep(STARTS_WITH_E);
        Map<String, Object> json = r.metrics().toJson();
        assertEquals(0.25, (double) json.get("reward/reward_mean"), 1e-12);
        assertEquals(0.5, (double) json.get("frac_reward_zero_std"), 0.0);
        assertEquals(0.0, GrpoTrainer.fracZeroStd(r.completions().stream()
                .filter(s -> s.prompt().prompt().equals("a")).toList(), 4), 0.0);
    }

    private static ScoredCompletion byText(List<ScoredCompletion> group, String text) {
        return group.stream().filter(s -> s.completion().text().equals(text)).findFirst().orElseThrow();
    }
}

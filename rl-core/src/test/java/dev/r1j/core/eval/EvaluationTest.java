package dev.r1j.core.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.r1j.core.sampling.Completion;
import dev.r1j.core.sampling.CompletionGroup;
import dev.r1j.core.sampling.FinishReason;
import dev.r1j.core.sampling.Prompt;
import dev.r1j.core.sampling.Sampler;
import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.verifiers.Verdict;
import dev.r1j.verifiers.Verifier;
import dev.r1j.verifiers.VerifierRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Evaluation's figures against values worked by hand on scripted completions. */
class EvaluationTest {
    /** Answers "p#j" for sample j of prompt p, with 3 + j tokens; sample 1 is cut at the length limit. */
    static final class ScriptedSampler implements Sampler {
        final List<Long> seeds = new ArrayList<>();

        @Override
        public List<CompletionGroup> sample(List<String> prompts, SamplingParams params) {
            seeds.add(params.seed());
            List<CompletionGroup> out = new ArrayList<>();
            for (String p : prompts) {
                List<Completion> cs = new ArrayList<>();
                for (int j = 0; j < params.groupSize(); j++) {
                    cs.add(new Completion(new int[3 + j], p + "#" + j, null,
                            j == 1 ? FinishReason.LENGTH : FinishReason.EOS));
                }
                out.add(new CompletionGroup(p, new int[] {1}, cs));
            }
            return out;
        }
    }

    /** Correct when the completion is sample 0 of a prompt whose answer is "yes". */
    static final Verifier EXACT = new Verifier() {
        public String name() {
            return "exact";
        }

        public Verdict verify(dev.r1j.verifiers.Sample s) {
            boolean ok = s.completion().endsWith("#0") && "yes".equals(s.reference().get("answer"));
            return Verdict.of(ok ? 1 : 0, "");
        }
    };

    /** Reward = sample index / 2. */
    static final Verifier HALF_INDEX = new Verifier() {
        public String name() {
            return "half";
        }

        public Verdict verify(dev.r1j.verifiers.Sample s) {
            return Verdict.of(Integer.parseInt(s.completion().substring(s.completion().indexOf('#') + 1)) / 2.0, "");
        }
    };

    @Test
    void averagesOverEverySampleInBatches() {
        List<Prompt> prompts = List.of(new Prompt("a", Map.of("answer", "yes")),
                new Prompt("b", Map.of("answer", "no")), new Prompt("c", Map.of("answer", "yes")));
        ScriptedSampler sampler = new ScriptedSampler();
        List<Integer> done = new ArrayList<>();
        EvalReport r = new Evaluation(sampler, EXACT, HALF_INDEX).run(prompts,
                new SamplingParams(2, 8, 1.0, 1.0, 0, List.of(), 7L), 2, done::add);
        // 6 samples: correct = a#0, c#0; rewards 0, .5 per prompt; lengths 3, 4; one truncated per prompt
        assertEquals(3, r.problems());
        assertEquals(2, r.samplesPerProblem());
        assertEquals(2 / 6.0, r.accuracy(), 1e-12);
        assertEquals(0.25, r.rewardMean(), 1e-12);
        assertEquals(3.5, r.completionLenMean(), 1e-12);
        assertEquals(0.5, r.truncatedFrac(), 1e-12);
        assertEquals(List.of(2, 3), done);
        // two batches, each with its own seed derived from the call's seed and the batch start
        assertEquals(List.of(7L * 1_000_003L, 7L * 1_000_003L + 2), sampler.seeds);
        Map<String, Double> sum = r.summary();
        assertEquals(2 / 6.0, sum.get("accuracy"), 1e-12);
        assertEquals(0.25, sum.get("reward_mean"), 1e-12);
        assertEquals(3.5, sum.get("completion_len_mean"), 1e-12);
        assertEquals(0.5, sum.get("truncated_frac"), 1e-12);
        // every problem has lengths 3, 4 and one truncated sample: the per-problem means are constant
        assertEquals(3.5, sum.get("completion_len_mean_ci95_low"), 1e-12);
        assertEquals(3.5, sum.get("completion_len_mean_ci95_high"), 1e-12);
        assertEquals(0.5, sum.get("truncated_frac_ci95_low"), 1e-12);
        // pass@1 per problem 1/2, 0, 1/2; pass@2 per problem 1, 0, 1; EXACT extracts no answer, so maj@2 is 0
        assertEquals(1 / 3.0, sum.get("pass@1"), 1e-12);
        assertEquals(2 / 3.0, sum.get("pass@2"), 1e-12);
        assertEquals(0.0, sum.get("maj@2"), 0.0);
        // pass@2 is 0/1 per problem: the Wilson interval of 2 out of 3
        double z = 1.959963984540054, p = 2 / 3.0, n = 3;
        double centre = (p + z * z / (2 * n)) / (1 + z * z / n);
        double half = z * Math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n);
        assertEquals(centre - half, sum.get("pass@2_ci95_low"), 1e-12);
        assertEquals(centre + half, sum.get("pass@2_ci95_high"), 1e-12);
        assertEquals("b", r.samples().get(2).prompt());
    }

    /** Boxed answers per prompt; "x" has none. */
    static final Map<String, List<String>> BOXED = Map.of(
            "p1", List.of("\\boxed{4}", "\\boxed{5}", "\\boxed{5.0}", "\\boxed{3}"),
            "p2", List.of("\\boxed{3}", "\\boxed{3}", "\\boxed{7}", "x"));

    @Test
    void passAtKAndMajorityVoteMatchHandWorkedValuesWithTheMathVerifier() {
        Sampler sampler = (prompts, params) -> prompts.stream().map(p -> new CompletionGroup(p, new int[] {1},
                BOXED.get(p).stream().map(t -> new Completion(new int[t.length()], t, null, FinishReason.EOS)).toList()))
                .toList();
        Verifier math = VerifierRegistry.defaultRegistry().create("math", Map.of());
        EvalReport r = new Evaluation(sampler, math, math).run(List.of(new Prompt("p1", Map.of("answer", "5")),
                new Prompt("p2", Map.of("answer", "7"))), new SamplingParams(4, 8, 1.0, 1.0, 0, List.of(), 1L), 8,
                done -> {});
        // p1: c = 2 of 4; pass@2 = 1 - C(2,2)/C(4,2) = 5/6; maj@2 over [4, 5]: a tie goes to the earlier, 4 (wrong);
        //     maj@4: 5 and 5.0 are one cluster of 2 votes, so the vote is right.
        // p2: c = 1 of 4; pass@2 = 1 - C(3,2)/C(4,2) = 1/2; maj@2 and maj@4: 3 wins (wrong).
        dev.r1j.verifiers.eval.EvalReport b = r.benchmark();
        assertEquals((0.5 + 0.25) / 2, b.passAtK().get(1).value(), 1e-12);
        assertEquals((5 / 6.0 + 0.5) / 2, b.passAtK().get(2).value(), 1e-12);
        assertEquals(1.0, b.passAtK().get(4).value(), 1e-12);
        assertEquals(0.0, b.majAtK().get(2).value(), 0.0);
        assertEquals(0.5, b.majAtK().get(4).value(), 0.0);
        assertEquals(r.accuracy(), b.pass1().value(), 1e-12);
        assertEquals(List.of("4", "5", "5.0", "3"), r.samples().subList(0, 4).stream()
                .map(EvalReport.ScoredSample::extracted).toList());
        assertEquals(null, r.samples().get(7).extracted());
        assertEquals(0.5, r.summary().get("maj@4"), 0.0);
        assertEquals((5 / 6.0 + 0.5) / 2, (double) r.toJson().get("pass@2"), 1e-12);
    }
}

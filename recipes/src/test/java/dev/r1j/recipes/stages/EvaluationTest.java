package dev.r1j.recipes.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.r1j.core.grpo.GrpoPrompt;
import dev.r1j.core.sampling.Completion;
import dev.r1j.core.sampling.CompletionGroup;
import dev.r1j.core.sampling.FinishReason;
import dev.r1j.core.sampling.Sampler;
import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.recipes.stages.eval.EvalReport;
import dev.r1j.recipes.stages.eval.Evaluation;
import dev.r1j.verifiers.Verdict;
import dev.r1j.verifiers.Verifier;
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
        List<GrpoPrompt> prompts = List.of(new GrpoPrompt("a", Map.of("answer", "yes")),
                new GrpoPrompt("b", Map.of("answer", "no")), new GrpoPrompt("c", Map.of("answer", "yes")));
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
        assertEquals(Map.of("accuracy", 2 / 6.0, "reward_mean", 0.25, "completion_len_mean", 3.5,
                "truncated_frac", 0.5), r.summary());
        assertEquals("b", r.samples().get(2).prompt());
    }
}

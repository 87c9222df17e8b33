package dev.r1j.preference;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.r1j.core.sampling.Completion;
import dev.r1j.core.sampling.CompletionGroup;
import dev.r1j.core.sampling.FinishReason;
import dev.r1j.core.sampling.Prompt;
import dev.r1j.core.sampling.Sampler;
import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.verifiers.Sample;
import dev.r1j.verifiers.Verdict;
import dev.r1j.verifiers.Verifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Online pairs from scripted samples: counts, seeds and pairs worked by hand. */
class OnlinePairsTest {
    /** Prompt "a": answers 1, 2, 1x (the right answer is 1); prompt "b": 3, 4 of a group of 3 padded with 5. */
    static final Map<String, List<String>> SCRIPT = Map.of("a", List.of("1", "2", "1x"), "b", List.of("3", "4", "5"));

    @Test
    void pairsAVerifiedCompletionWithAFailedOnePerBatchSeed() {
        List<Long> seeds = new ArrayList<>();
        List<Sample> seen = new ArrayList<>();
        Sampler sampler = (prompts, params) -> {
            seeds.add(params.seed());
            List<CompletionGroup> out = new ArrayList<>();
            for (String p : prompts) {
                List<Completion> cs = new ArrayList<>();
                for (String text : SCRIPT.get(p)) {
                    cs.add(new Completion(new int[text.length() + 1], text, null, FinishReason.STOP));
                }
                out.add(new CompletionGroup(p, new int[] {1}, cs));
            }
            return out;
        };
        Verifier startsWithAnswer = new Verifier() {
            @Override
            public String name() {
                return "starts_with_answer";
            }

            @Override
            public synchronized Verdict verify(Sample s) {
                seen.add(s);
                return Verdict.of(s.completion().startsWith(s.referenceString("answer")) ? 1.0 : 0.0, "");
            }
        };
        List<Integer> progress = new ArrayList<>();
        OnlinePairs.Result r = new OnlinePairs(sampler, startsWithAnswer, new PairBuilder(1.0, 5, 7)).build(
                List.of(new Prompt("a", Map.of("answer", "1")), new Prompt("b", Map.of("answer", "9"))),
                new SamplingParams(3, 8, 1.0, 1.0, 0, List.of(), 100), 1, progress::add);

        assertEquals(List.of(100L, 101L), seeds, "batch b samples with seed + b");
        assertEquals(List.of(1, 2), progress);
        // "a": right {1, 1x} x wrong {2}: two pairs; "b": all wrong
        assertEquals(2, r.pairs().pairs().size());
        assertEquals(1, r.pairs().promptsWithPairs());
        assertEquals(1, r.pairs().allRejected());
        for (PreferencePair p : r.pairs().pairs()) {
            assertEquals("a", p.prompt());
            assertEquals("2", p.rejected());
        }
        assertEquals(2.0 / 6, r.sampleRewardMean(), 1e-12);
        // every sample carries its completion's token count (text length + 1 here)
        assertEquals(6, seen.size());
        for (Sample s : seen) assertEquals(s.completion().length() + 1, s.completionTokens(), s.toString());
    }
}

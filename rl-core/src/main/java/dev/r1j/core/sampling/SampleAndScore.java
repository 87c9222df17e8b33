package dev.r1j.core.sampling;

import dev.r1j.verifiers.Sample;
import dev.r1j.verifiers.Verdict;
import dev.r1j.verifiers.Verifier;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * "Sample a group, then score it": one group of completions per {@link Prompt} from any {@link Sampler}, each
 * completion checked by one or more verifiers. Every {@link Sample} a verifier sees carries the prompt, the
 * completion, the row's reference fields and the completion's token count ({@link Sample#completionTokens()}), so
 * length rewards count tokens. GRPO, evaluation, rejection sampling and DPO's online pairs all score this way.
 *
 * <p>Verifiers are thread-safe by contract and code verifiers are slow, so the completions of a batch are verified
 * in parallel; the results are in prompt order, then sampling order. A verifier listed twice (the same instance,
 * e.g. one verifier for both correctness and reward) is asked once per completion.
 *
 * <pre>{@code
 * List<SampleAndScore.Group> groups = SampleAndScore.run(sampler, prompts, params, List.of(math, format));
 * double r = groups.get(0).completions().get(0).verdict(0).reward();
 * }</pre>
 */
public final class SampleAndScore {
    private SampleAndScore() {}

    /** One completion, the sample the verifiers saw, and their verdicts (in the order the verifiers were given). */
    public record Scored(Completion completion, Sample sample, List<Verdict> verdicts) {
        public Scored {
            verdicts = List.copyOf(verdicts);
        }

        /** The verdict of the {@code i}-th verifier. */
        public Verdict verdict(int i) {
            return verdicts.get(i);
        }
    }

    /** A prompt, its token ids as the sampler fed them, and its scored completions in sampling order. */
    public record Group(Prompt prompt, int[] promptTokenIds, List<Scored> completions) {
        public Group {
            completions = List.copyOf(completions);
        }
    }

    /** Samples {@code params.groupSize()} completions per prompt and scores them: {@link #score} of the sample. */
    public static List<Group> run(Sampler sampler, List<Prompt> prompts, SamplingParams params,
            List<Verifier> verifiers) {
        List<CompletionGroup> groups = sampler.sample(prompts.stream().map(Prompt::prompt).toList(), params);
        return score(prompts, groups, params.groupSize(), verifiers);
    }

    /**
     * Scores sampled groups (one per prompt, each of {@code groupSize} completions).
     *
     * @throws IllegalStateException when the sampler returned another number of groups or completions
     */
    public static List<Group> score(List<Prompt> prompts, List<CompletionGroup> groups, int groupSize,
            List<Verifier> verifiers) {
        if (groups.size() != prompts.size()) {
            throw new IllegalStateException("sampler returned " + groups.size() + " groups for " + prompts.size()
                    + " prompts");
        }
        List<Sample> samples = new ArrayList<>();
        List<Completion> flat = new ArrayList<>();
        for (int i = 0; i < groups.size(); i++) {
            CompletionGroup cg = groups.get(i);
            if (cg.completions().size() != groupSize) {
                throw new IllegalStateException("sampler returned " + cg.completions().size()
                        + " completions for prompt " + i + ", expected group_size " + groupSize);
            }
            Prompt p = prompts.get(i);
            for (Completion c : cg.completions()) {
                flat.add(c);
                samples.add(new Sample(p.prompt(), c.text(), p.reference(), c.tokenIds().length));
            }
        }
        int nv = verifiers.size();
        Verdict[][] verdicts = new Verdict[flat.size()][nv];
        IntStream.range(0, flat.size()).parallel().forEach(i -> {
            for (int j = 0; j < nv; j++) {
                int same = verifiers.indexOf(verifiers.get(j)); // first occurrence: equals is identity for verifiers
                verdicts[i][j] = same < j ? verdicts[i][same] : verifiers.get(j).verify(samples.get(i));
            }
        });
        List<Group> out = new ArrayList<>(groups.size());
        for (int i = 0, k = 0; i < groups.size(); i++) {
            List<Scored> scored = new ArrayList<>(groupSize);
            for (int j = 0; j < groupSize; j++, k++) scored.add(new Scored(flat.get(k), samples.get(k), List.of(verdicts[k])));
            out.add(new Group(prompts.get(i), groups.get(i).promptTokenIds(), scored));
        }
        return out;
    }
}

package dev.r1j.preference;

import dev.r1j.core.sampling.Prompt;
import dev.r1j.core.sampling.SampleAndScore;
import dev.r1j.core.sampling.Sampler;
import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.verifiers.Verifier;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Preference pairs built online from a model's own samples: {@code params.groupSize()} completions per prompt from
 * any {@link Sampler}, scored by a reward verifier ({@link SampleAndScore}), and paired by a {@link PairBuilder} (a
 * verified completion chosen over a failed one). Batch {@code b} samples with seed {@code params.seed() + b}, so the
 * same model, prompts and seed give the same pairs.
 *
 * <pre>{@code
 * OnlinePairs.Result r = new OnlinePairs(sampler, reward, new PairBuilder(1.0, 2, 42))
 *         .build(prompts, new SamplingParams(4, 64, 1.0, 1.0, 0, List.of(), 42), 16, done -> {});
 * r.pairs().pairs();   // the pairs
 * }</pre>
 */
public final class OnlinePairs {
    private final Sampler sampler;
    private final Verifier reward;
    private final PairBuilder builder;

    /** The pairs, what happened to the prompts, and the mean reward over every sampled completion. */
    public record Result(PairBuilder.Result pairs, double sampleRewardMean) {}

    public OnlinePairs(Sampler sampler, Verifier reward, PairBuilder builder) {
        this.sampler = sampler;
        this.reward = reward;
        this.builder = builder;
    }

    /**
     * @param promptsPerBatch prompts per sampler call
     * @param onBatch         told the number of prompts done after each batch (progress)
     */
    public Result build(List<Prompt> prompts, SamplingParams params, int promptsPerBatch, IntConsumer onBatch) {
        List<ScoredGroup> groups = new ArrayList<>();
        double sumReward = 0;
        int samples = 0;
        for (int b = 0, from = 0; from < prompts.size(); b++, from += promptsPerBatch) {
            List<Prompt> part = prompts.subList(from, Math.min(prompts.size(), from + promptsPerBatch));
            SamplingParams batch = new SamplingParams(params.groupSize(), params.maxNewTokens(), params.temperature(),
                    params.topP(), params.topK(), params.stop(), params.seed() + b);
            for (SampleAndScore.Group g : SampleAndScore.run(sampler, part, batch, List.of(reward))) {
                List<ScoredGroup.Scored> scored = new ArrayList<>();
                for (SampleAndScore.Scored s : g.completions()) {
                    double r = s.verdict(0).reward();
                    scored.add(new ScoredGroup.Scored(s.completion().text(), r));
                    sumReward += r;
                    samples++;
                }
                groups.add(new ScoredGroup(g.prompt().prompt(), scored));
            }
            onBatch.accept(from + part.size());
        }
        return new Result(builder.build(groups), samples == 0 ? 0.0 : sumReward / samples);
    }
}

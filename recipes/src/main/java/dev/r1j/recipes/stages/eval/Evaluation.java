package dev.r1j.recipes.stages.eval;

import dev.r1j.core.grpo.GrpoPrompt;
import dev.r1j.core.sampling.Completion;
import dev.r1j.core.sampling.CompletionGroup;
import dev.r1j.core.sampling.FinishReason;
import dev.r1j.core.sampling.Sampler;
import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.verifiers.Sample;
import dev.r1j.verifiers.Verifier;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Scores a model on held-out prompts: samples {@code params.groupSize()} completions per prompt (greedy when the
 * temperature is 0) in batches, checks each with an exact-match verifier (accuracy) and a reward verifier (mean
 * reward). Kept free of the recipe machinery so that other estimators (pass@k, maj@k) can be computed from the same
 * {@link EvalReport#samples()}.
 *
 * <pre>{@code
 * EvalReport r = new Evaluation(sampler, mathVerifier, reward).run(prompts, SamplingParams.greedy(64), 64, done -> {});
 * r.accuracy();
 * }</pre>
 */
public final class Evaluation {
    private final Sampler sampler;
    private final Verifier exactMatch;
    private final Verifier reward;

    /**
     * @param exactMatch decides correctness: a completion is correct when its reward is at least 1
     * @param reward     the reward whose mean is reported
     */
    public Evaluation(Sampler sampler, Verifier exactMatch, Verifier reward) {
        this.sampler = sampler;
        this.exactMatch = exactMatch;
        this.reward = reward;
    }

    /**
     * @param batchPrompts prompts per sampler call (each call decodes {@code batchPrompts * groupSize} rows)
     * @param onBatch      told the number of prompts done after each batch (progress)
     */
    public EvalReport run(List<GrpoPrompt> prompts, SamplingParams params, int batchPrompts, IntConsumer onBatch) {
        if (prompts.isEmpty()) throw new IllegalArgumentException("no prompts to evaluate");
        List<EvalReport.ScoredSample> samples = new ArrayList<>();
        for (int start = 0; start < prompts.size(); start += batchPrompts) {
            List<GrpoPrompt> batch = prompts.subList(start, Math.min(prompts.size(), start + batchPrompts));
            // One seed per batch, derived from the call's seed: the same data and seed give the same samples.
            SamplingParams p = new SamplingParams(params.groupSize(), params.maxNewTokens(), params.temperature(),
                    params.topP(), params.topK(), params.stop(), params.seed() * 1_000_003L + start);
            List<CompletionGroup> groups = sampler.sample(batch.stream().map(GrpoPrompt::prompt).toList(), p);
            for (int i = 0; i < batch.size(); i++) {
                GrpoPrompt gp = batch.get(i);
                for (Completion c : groups.get(i).completions()) samples.add(score(gp, c));
            }
            onBatch.accept(start + batch.size());
        }
        double correct = 0, rewardSum = 0, len = 0, truncated = 0;
        for (EvalReport.ScoredSample s : samples) {
            if (s.correct()) correct++;
            rewardSum += s.reward();
            len += s.tokens();
            if (s.truncated()) truncated++;
        }
        int n = samples.size();
        return new EvalReport(prompts.size(), params.groupSize(), correct / n, rewardSum / n, len / n, truncated / n,
                samples);
    }

    private EvalReport.ScoredSample score(GrpoPrompt p, Completion c) {
        Sample s = new Sample(p.prompt(), c.text(), p.reference());
        boolean ok = exactMatch.verify(s).reward() >= 1.0;
        double r = reward.verify(s).reward();
        return new EvalReport.ScoredSample(p.prompt(), p.reference().get("answer"), c.text(), ok, r,
                c.tokenIds().length, c.finishReason() == FinishReason.LENGTH);
    }
}

package dev.r1j.core.eval;

import dev.r1j.core.sampling.Completion;
import dev.r1j.core.sampling.EpisodeStats;
import dev.r1j.core.sampling.FinishReason;
import dev.r1j.core.sampling.Prompt;
import dev.r1j.core.sampling.SampleAndScore;
import dev.r1j.core.sampling.Sampler;
import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.verifiers.Verifier;
import dev.r1j.verifiers.eval.ConfidenceInterval;
import dev.r1j.verifiers.eval.ProblemResult;
import dev.r1j.verifiers.eval.SampleResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Scores a model on held-out prompts: samples {@code params.groupSize()} completions per prompt (greedy when the
 * temperature is 0) in batches, checks each with an exact-match verifier (accuracy) and a reward verifier (mean
 * reward), and computes pass@k and maj@k (answers extracted by the exact-match verifier, grouped by math
 * equivalence) with the reward library's {@link dev.r1j.verifiers.eval.EvalReport}. Sampling and scoring are
 * {@link SampleAndScore}'s, as in training (each sample carries the completion's token count). The {@code eval}
 * stage and the {@code recipe eval} command both run it.
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
    public EvalReport run(List<Prompt> prompts, SamplingParams params, int batchPrompts, IntConsumer onBatch) {
        if (prompts.isEmpty()) throw new IllegalArgumentException("no prompts to evaluate");
        List<EvalReport.ScoredSample> samples = new ArrayList<>();
        List<Completion> completions = new ArrayList<>();
        for (int start = 0; start < prompts.size(); start += batchPrompts) {
            List<Prompt> batch = prompts.subList(start, Math.min(prompts.size(), start + batchPrompts));
            // One seed per batch, derived from the call's seed: the same data and seed give the same samples.
            SamplingParams p = new SamplingParams(params.groupSize(), params.maxNewTokens(), params.temperature(),
                    params.topP(), params.topK(), params.stop(), params.seed() * 1_000_003L + start);
            // The same verifier for both (recipe eval) is asked once: a sandboxed code run is expensive.
            for (SampleAndScore.Group g : SampleAndScore.run(sampler, batch, p, List.of(exactMatch, reward))) {
                for (SampleAndScore.Scored s : g.completions()) {
                    samples.add(scored(g.prompt(), s));
                    completions.add(s.completion());
                }
            }
            onBatch.accept(start + batch.size());
        }
        EvalReport r = report(prompts.size(), params.groupSize(), samples);
        Map<String, Double> tools = EpisodeStats.of(completions); // multi-turn sampling: tool-call rate and turns
        if (tools.isEmpty()) return r;
        return new EvalReport(r.problems(), r.samplesPerProblem(), r.accuracy(), r.rewardMean(), r.completionLenMean(),
                r.truncatedFrac(), r.samples(), r.benchmark(), r.completionLenCi95(), r.truncatedCi95(), tools);
    }

    /**
     * The report over scored samples, {@code perProblem} consecutive samples per problem in sampling order (the
     * order maj@k votes in); the pass@k/maj@k figures are {@link dev.r1j.verifiers.eval.EvalReport#of} of them.
     */
    static EvalReport report(int problems, int perProblem, List<EvalReport.ScoredSample> samples) {
        if (samples.size() != problems * perProblem) {
            throw new IllegalStateException(samples.size() + " samples for " + problems + " problems x " + perProblem);
        }
        double correct = 0, rewardSum = 0, len = 0, truncated = 0;
        List<ProblemResult> results = new ArrayList<>(problems);
        double[] lenPer = new double[problems], truncPer = new double[problems];
        for (int p = 0; p < problems; p++) {
            List<SampleResult> rs = new ArrayList<>(perProblem);
            for (EvalReport.ScoredSample s : samples.subList(p * perProblem, (p + 1) * perProblem)) {
                if (s.correct()) correct++;
                rewardSum += s.reward();
                len += s.tokens();
                if (s.truncated()) truncated++;
                lenPer[p] += s.tokens();
                truncPer[p] += s.truncated() ? 1 : 0;
                rs.add(new SampleResult(s.extracted(), s.correct(), s.tokens(), s.truncated()));
            }
            lenPer[p] /= perProblem;
            truncPer[p] /= perProblem;
            results.add(new ProblemResult(Integer.toString(p + 1), rs));
        }
        int n = samples.size();
        return new EvalReport(problems, perProblem, correct / n, rewardSum / n, len / n, truncated / n, samples,
                dev.r1j.verifiers.eval.EvalReport.of(results), ConfidenceInterval.of(lenPer),
                ConfidenceInterval.of(truncPer));
    }

    private static EvalReport.ScoredSample scored(Prompt p, SampleAndScore.Scored s) {
        Completion c = s.completion();
        SampleResult exact = SampleResult.of(s.verdict(0), c.tokenIds().length, c.finishReason() == FinishReason.LENGTH);
        return new EvalReport.ScoredSample(p.prompt(), p.reference().get("answer"), c.text(), exact.correct(),
                s.verdict(1).reward(), exact.length(), exact.truncated(), exact.answer());
    }
}

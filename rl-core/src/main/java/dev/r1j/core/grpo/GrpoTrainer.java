package dev.r1j.core.grpo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.GradientCollector;
import dev.r1j.core.Djl;
import dev.r1j.core.model.CausalLM;
import dev.r1j.core.model.OffloadedModel;
import dev.r1j.core.model.RoutingReplay;
import dev.r1j.core.optim.AdamW;
import dev.r1j.core.optim.GradientAccumulation;
import dev.r1j.core.optim.GradientStep;
import dev.r1j.core.optim.LrSchedule;
import dev.r1j.core.sampling.Completion;
import dev.r1j.core.sampling.CompletionGroup;
import dev.r1j.core.sampling.EpisodeStats;
import dev.r1j.core.sampling.FinishReason;
import dev.r1j.core.sampling.Prompt;
import dev.r1j.core.sampling.SampleAndScore;
import dev.r1j.core.sampling.Sampler;
import dev.r1j.core.sampling.WeightSync;
import dev.r1j.verifiers.BatchReward;
import dev.r1j.verifiers.RewardStats;
import dev.r1j.verifiers.Verdict;
import dev.r1j.verifiers.Verifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * GRPO on a {@link CausalLM}: each {@link #step} samples {@code group_size} completions for
 * {@code prompts_per_step} prompts with a {@link Sampler}, scores them with a {@link Verifier}, turns the rewards into
 * group-relative advantages and takes {@code num_iterations} AdamW updates of the {@link PolicyLoss} on that batch
 * (old log-probs stored before the first update, reference log-probs when {@code beta > 0}).
 *
 * <p>Completions are sampled and scored by {@link SampleAndScore}: each sample carries the completion's token count,
 * so length-based rewards count tokens. When the verifier is a {@link BatchReward} (e.g. a composite with
 * {@code normalized_sum}), a group's rewards are {@link BatchReward#groupRewards} of its verdicts rather than each
 * verdict's own reward.
 *
 * <p>The sampler generates from the current policy weights (a local sampler over {@code policy}), or from weights
 * the trainer hands over after each step through a {@link WeightSync} (a {@link PolicySnapshot}, inference servers).
 * With {@code async_steps: k} the batches of the next steps are generated on another thread while the trainer
 * updates ({@link AsyncRollouts}). Every completion's log-probs are recomputed here; the sampler's own behaviour
 * log-probs measure the sampler-vs-trainer gap every step ({@code rollout_corr/*} metrics) and, with
 * {@code rollout_correction}, weight or mask the policy term ({@link RolloutCorrection}).
 *
 * <pre>{@code
 * GrpoConfig cfg = GrpoConfig.builder().groupSize(8).promptsPerStep(8).learningRate(1e-5).steps(100).build();
 * try (GrpoTrainer trainer = new GrpoTrainer(policy, null, sampler, verifier, cfg)) {
 *     trainer.train(new PromptSource(prompts, cfg.seed()), m -> System.out.println(m.toJson()));
 * }
 * }</pre>
 */
public final class GrpoTrainer implements AutoCloseable {
    private final CausalLM policy;
    private final CausalLM reference;
    private final Sampler sampler;
    private final Verifier verifier;
    private final GrpoConfig config;
    private final PolicyLoss loss;
    private final AdamW optimizer;
    private final LrSchedule schedule;
    private final long startNanos = System.nanoTime();
    private double elapsedBefore;
    private int stepsDone;
    private List<ScoredCompletion> lastCompletions = List.of();
    private final RoutingReplay routing; // MoE policies: sampler/trainer expert choice (replayed with routing_replay)
    private WeightSync weightSync;
    private AsyncRollouts async;
    private PromptSource asyncSource;
    private List<PendingRollouts.Raw> restoredPending = List.of();
    private List<Rollout> pending = List.of();
    private long resumePosition = -1;
    private boolean startPublished;
    private final PassRateHistory passRates;
    private int skippedThisStep;

    /**
     * @param reference the frozen reference model, needed when {@code beta > 0} (and ignored otherwise)
     */
    public GrpoTrainer(CausalLM policy, CausalLM reference, Sampler sampler, Verifier verifier, GrpoConfig config) {
        if (config.beta() > 0 && reference == null) {
            throw new IllegalArgumentException("beta = " + config.beta() + " > 0 needs a reference model");
        }
        this.policy = policy;
        this.reference = config.beta() > 0 ? reference : null;
        this.sampler = sampler;
        this.verifier = verifier;
        this.config = config;
        this.loss = PolicyLoss.of(config);
        this.schedule = config.schedule();
        for (NDArray p : policy.trainableParameters().values()) p.setRequiresGradient(true);
        this.optimizer = new AdamW(policy.trainableParameters(), config.optimizer().adam());
        this.routing = MoeRouting.install(policy, config.routingReplay());
        this.passRates = new PassRateHistory(config.onlineFilter());
    }

    /** The online filter's pass-rate histories, for a checkpoint ({@link #restorePassRates} takes them back). */
    public String passRateState() {
        return passRates.toJson();
    }

    /** Restores what {@link #passRateState} returned (null: none recorded). */
    public void restorePassRates(String state) {
        passRates.restoreJson(state);
    }

    public GrpoConfig config() {
        return config;
    }

    /** GRPO steps completed (the next step's number is {@code stepsDone() + 1}). */
    public int stepsDone() {
        return stepsDone;
    }

    public AdamW optimizer() {
        return optimizer;
    }

    /** The completions of the last step, with rewards and advantages (for {@code completions.jsonl}). */
    public List<ScoredCompletion> lastCompletions() {
        return lastCompletions;
    }

    /**
     * For a mixture-of-experts policy, the last step's {@code routing/mismatch_frac}: the share of completion tokens
     * whose top-k experts differ between sampler and trainer (see {@link RoutingReplay#mismatchFraction}); empty
     * for dense policies.
     */
    public Map<String, Object> routingMetrics() {
        return routing == null ? Map.of() : routing.metrics();
    }

    /** Restores the position of a resumed run: steps done, optimizer state and elapsed time. */
    public void restore(int stepsDone, Map<String, NDArray> optimizerState, double elapsedSeconds) {
        if (stepsDone < 0) throw new IllegalArgumentException("steps done must be >= 0, got " + stepsDone);
        if (optimizerState != null) optimizer.loadState(optimizerState);
        this.stepsDone = stepsDone;
        this.elapsedBefore = elapsedSeconds;
    }

    /**
     * How the sampler gets the weights after each step: required with {@code async_steps > 0} (e.g. a
     * {@link PolicySnapshot} read by a local sampler), since the sampler then runs while the policy is updated;
     * {@code null} (the default) when the sampler reads the live policy itself.
     */
    public void setWeightSync(WeightSync sync) {
        if (startPublished) throw new IllegalStateException("the weight sync is fixed once the first step ran");
        this.weightSync = sync;
    }

    /**
     * The data position a checkpoint after the last step must store: past the prompts of the batches generated
     * ahead ({@link #pendingRolloutsJson}), which the resumed run gets back from the checkpoint.
     */
    public long resumePosition() {
        if (resumePosition < 0) throw new IllegalStateException("no step has run yet");
        return resumePosition;
    }

    /**
     * The batches {@code async_steps} generated ahead of the last step, as JSON for the checkpoint key
     * {@code pending_rollouts}; {@code null} when there are none.
     */
    public String pendingRolloutsJson() {
        return pending.isEmpty() ? null : PendingRollouts.toJson(pending);
    }

    /**
     * On resume, after {@link #restore} and the source's seek to the checkpoint's position: the batches the
     * checkpoint's run had generated ahead ({@link #pendingRolloutsJson}; {@code null} for none). They are scored
     * again, not generated again.
     */
    public void restorePending(String json, String where) {
        if (json == null || json.isEmpty()) return;
        if (config.asyncSteps() == 0) {
            throw new IllegalArgumentException(where + " holds batches generated ahead by async_steps > 0; resume "
                    + "it with the same async_steps, not 0");
        }
        restoredPending = PendingRollouts.fromJson(json, where);
        for (int i = 0; i < restoredPending.size(); i++) {
            if (restoredPending.get(i).step() != stepsDone + 1 + i) {
                throw new IllegalArgumentException(where + ": pending batch " + i + " is for step "
                        + restoredPending.get(i).step() + ", expected " + (stepsDone + 1 + i));
            }
        }
    }

    /** Runs the remaining steps up to {@code config.steps()}, handing each step's metrics to {@code onStep}. */
    public List<GrpoStepMetrics> train(PromptSource source, Consumer<GrpoStepMetrics> onStep) {
        List<GrpoStepMetrics> out = new ArrayList<>();
        while (stepsDone < config.steps()) {
            GrpoStepMetrics m = step(source);
            out.add(m);
            if (onStep != null) onStep.accept(m);
        }
        return out;
    }

    /** One GRPO step: sample, score, compute advantages, and update the policy {@code num_iterations} times. */
    public GrpoStepMetrics step(PromptSource source) {
        int step = stepsDone + 1;
        if (config.asyncSteps() == 0 && weightSync != null && !startPublished) {
            weightSync.publish(policy, stepsDone); // the start weights (AsyncRollouts publishes them itself)
        }
        startPublished = true;
        Rollout rollout = config.asyncSteps() == 0 ? generateOrRewind(step, stepsDone, source)
                : asyncRollouts(source).take(step);
        List<ScoredCompletion> all = rollout.all();
        List<List<ScoredCompletion>> kept = rollout.kept();
        int drawn = rollout.drawn();
        long genNs = rollout.generationNs(), rewNs = rollout.rewardNs();
        List<ScoredCompletion> batch = withAdvantages(kept);
        if (routing != null) routing.startReplay(config.routingReplay());

        double lr = schedule.lr(stepsDone);
        Update u = batch.isEmpty() ? Update.NONE : update(step, batch, lr);
        if (u.advantages() != null) { // kl_in_reward: log the advantages that were trained on
            List<ScoredCompletion> penalised = new ArrayList<>(batch.size());
            for (int i = 0; i < batch.size(); i++) penalised.add(batch.get(i).withAdvantage(u.advantages()[i]));
            batch = penalised;
        }
        stepsDone = step;
        lastCompletions = merge(all, batch);
        Map<String, Double> extra = new java.util.LinkedHashMap<>(u.offPolicy());
        if (config.onlineFilter().enabled()) {
            extra.put("online_filter/skipped", (double) skippedThisStep);
            extra.put("online_filter/retired", (double) passRates.retiredCount());
        }
        skippedThisStep = 0;
        if (async != null) {
            pending = async.publish(policy, step);
            double[] idle = async.takeIdleSeconds();
            extra.put("async/staleness", (double) (step - 1 - rollout.version()));
            extra.put("async/trainer_idle_s", idle[0]);
            extra.put("async/generation_idle_s", idle[1]);
        } else if (weightSync != null) {
            weightSync.publish(policy, step);
        }
        // with batches generated ahead, the generator may be drawing the next prompts already: read the position
        // off the last pending batch instead of the source
        Rollout.Round lastRound = pending.isEmpty() ? null
                : pending.get(pending.size() - 1).rounds().get(pending.get(pending.size() - 1).rounds().size() - 1);
        resumePosition = lastRound == null ? source.position() : lastRound.position() + lastRound.count();
        return metrics(step, all, kept.size(), drawn, u, lr, genNs, rewNs, extra);
    }

    /**
     * {@link #generate}, leaving the source where it was when sampling fails (e.g. no rollout server left), so a
     * checkpoint written then resumes with the failed batch's prompts instead of skipping them.
     */
    private Rollout generateOrRewind(int step, int version, PromptSource source) {
        long position = source.position();
        try {
            return generate(step, version, source);
        } catch (RuntimeException | Error e) {
            source.seek(position);
            throw e;
        }
    }

    /** Samples and scores the batch of {@code step} from the sampler's current weights ({@code version}). */
    private Rollout generate(int step, int version, PromptSource source) {
        int target = config.promptsPerStep();
        List<ScoredCompletion> all = new ArrayList<>();
        List<List<ScoredCompletion>> kept = new ArrayList<>();
        List<Rollout.Round> rounds = new ArrayList<>();
        int drawn = 0, round = 0, draw = target;
        long genNs = 0, rewNs = 0;
        if (routing != null) routing.startRecording();
        while (draw > 0) {
            long position = source.position();
            List<Prompt> prompts = nextPrompts(source, draw);
            drawn += draw;
            long t0 = System.nanoTime();
            List<CompletionGroup> groups = sampler.sample(prompts.stream().map(Prompt::prompt).toList(),
                    config.samplingParams(samplingSeed(step, round)));
            long t1 = System.nanoTime();
            rounds.add(new Rollout.Round(position, draw, groups));
            List<List<ScoredCompletion>> scored = score(prompts, groups);
            rewNs += System.nanoTime() - t1;
            genNs += t1 - t0;
            round++;
            for (List<ScoredCompletion> g : scored) {
                passRates.observe(g.get(0).prompt().prompt(), passRate(g));
                all.addAll(g);
                if (!config.dynamicSampling() || informative(g)) kept.add(g);
            }
            draw = config.dynamicSampling()
                    ? DynamicSampling.nextDraw(target, kept.size(), drawn, round, config.maxSamplingRounds(), 4 * target)
                    : 0;
        }
        if (kept.size() > target) kept = new ArrayList<>(kept.subList(0, target));
        return new Rollout(step, version, all, kept, drawn, genNs, rewNs, rounds);
    }

    /**
     * The next {@code n} prompts the online filter lets through. Retired prompts are passed over, but never more
     * than one epoch's worth in a step: when (nearly) every prompt is retired the step trains on what comes.
     */
    private List<Prompt> nextPrompts(PromptSource source, int n) {
        if (!config.onlineFilter().enabled()) return source.next(n);
        List<Prompt> out = new ArrayList<>(n);
        while (out.size() < n) {
            Prompt p = source.next(1).get(0);
            if (skippedThisStep < source.size() && passRates.retired(p.prompt())) {
                skippedThisStep++;
            } else {
                out.add(p);
            }
        }
        return out;
    }

    /** The share of a group's completions with full credit. */
    private static double passRate(List<ScoredCompletion> group) {
        int pass = 0;
        for (ScoredCompletion s : group) if (s.fullCredit()) pass++;
        return (double) pass / group.size();
    }

    /** A batch restored from a checkpoint, scored again from its raw rounds exactly as {@link #generate} did. */
    private Rollout rescore(PendingRollouts.Raw raw, PromptSource source) {
        int target = config.promptsPerStep();
        List<ScoredCompletion> all = new ArrayList<>();
        List<List<ScoredCompletion>> kept = new ArrayList<>();
        int drawn = 0;
        long back = source.position();
        long t0 = System.nanoTime();
        for (Rollout.Round round : raw.rounds()) {
            source.seek(round.position());
            List<Prompt> prompts = source.next(round.count());
            drawn += round.count();
            for (List<ScoredCompletion> g : score(prompts, round.groups())) {
                all.addAll(g);
                if (!config.dynamicSampling() || informative(g)) kept.add(g);
            }
        }
        source.seek(back);
        if (kept.size() > target) kept = new ArrayList<>(kept.subList(0, target));
        return new Rollout(raw.step(), raw.version(), all, kept, drawn, 0, System.nanoTime() - t0, raw.rounds());
    }

    /** The generation thread of async_steps, started at the first step (after any restore). */
    private AsyncRollouts asyncRollouts(PromptSource source) {
        if (async != null) {
            if (source != asyncSource) {
                throw new IllegalArgumentException("async_steps: every step must draw from the same PromptSource");
            }
            return async;
        }
        if (weightSync == null) {
            throw new IllegalStateException("async_steps " + config.asyncSteps() + " samples while the policy is "
                    + "updated: give the trainer a WeightSync (setWeightSync, e.g. a PolicySnapshot read by the sampler)");
        }
        List<Rollout> restored = new ArrayList<>();
        for (PendingRollouts.Raw raw : restoredPending) restored.add(rescore(raw, source));
        restoredPending = List.of();
        asyncSource = source;
        async = new AsyncRollouts(config.asyncSteps(), stepsDone, config.steps(), restored, policy, weightSync,
                (s, v) -> generateOrRewind(s, v, source));
        return async;
    }

    long samplingSeed(int step, int round) {
        return config.seed() * 1_000_003L + step * 1_009L + round;
    }

    private List<List<ScoredCompletion>> score(List<Prompt> prompts, List<CompletionGroup> groups) {
        List<List<ScoredCompletion>> res = new ArrayList<>();
        for (SampleAndScore.Group sg : SampleAndScore.score(prompts, groups, config.groupSize(), List.of(verifier))) {
            List<Verdict> verdicts = sg.completions().stream().map(s -> s.verdict(0)).toList();
            double[] rewards = groupRewards(verdicts);
            List<ScoredCompletion> group = new ArrayList<>(rewards.length);
            for (int j = 0; j < rewards.length; j++) {
                Completion c = sg.completions().get(j).completion();
                double reward = rewards[j] + Overlong.softPenalty(c.tokenIds().length, config.maxNewTokens(),
                        config.overlongBuffer(), config.overlongPenaltyFactor())
                        + (c.episode() != null ? c.episode().reward() : 0); // a multi-turn environment's own reward
                group.add(new ScoredCompletion(sg.prompt(), sg.promptTokenIds(), c, verdicts.get(j), reward,
                        Double.NaN));
            }
            res.add(List.copyOf(group));
        }
        return res;
    }

    /** The group's rewards: the batch reward's combination when the verifier has one, else each verdict's own. */
    private double[] groupRewards(List<Verdict> group) {
        if (verifier instanceof BatchReward b) {
            double[] r = b.groupRewards(group);
            if (r.length != group.size()) {
                throw new IllegalStateException(verifier.name() + " returned " + r.length + " group rewards for "
                        + group.size() + " verdicts");
            }
            return r;
        }
        return group.stream().mapToDouble(Verdict::reward).toArray();
    }

    /** Share of groups whose training rewards are all equal (no learning signal under group normalisation). */
    static double fracZeroStd(List<ScoredCompletion> all, int groupSize) {
        int groups = 0, flat = 0;
        for (int start = 0; start + groupSize <= all.size(); start += groupSize) {
            groups++;
            double first = all.get(start).reward();
            boolean equal = true;
            for (int j = 1; j < groupSize && equal; j++) equal = all.get(start + j).reward() == first;
            if (equal) flat++;
        }
        return groups == 0 ? Double.NaN : (double) flat / groups;
    }

    private static boolean informative(List<ScoredCompletion> group) {
        double[] r = group.stream().mapToDouble(ScoredCompletion::reward).toArray();
        return DynamicSampling.informativeGroups(r, r.length)[0];
    }

    private List<ScoredCompletion> withAdvantages(List<List<ScoredCompletion>> groups) {
        List<ScoredCompletion> flat = new ArrayList<>();
        groups.forEach(flat::addAll);
        if (flat.isEmpty()) return flat;
        double[] r = flat.stream().mapToDouble(ScoredCompletion::reward).toArray();
        double[] a = Advantages.compute(r, config.groupSize(), config.advantageEstimator(), config.scaleRewards());
        List<ScoredCompletion> out = new ArrayList<>(flat.size());
        for (int i = 0; i < flat.size(); i++) out.add(flat.get(i).withAdvantage(a[i]));
        return out;
    }

    private static List<ScoredCompletion> merge(List<ScoredCompletion> all, List<ScoredCompletion> withAdv) {
        java.util.IdentityHashMap<Completion, ScoredCompletion> byCompletion = new java.util.IdentityHashMap<>();
        for (ScoredCompletion s : withAdv) byCompletion.put(s.completion(), s);
        return all.stream().map(s -> byCompletion.getOrDefault(s.completion(), s)).toList();
    }

    /** {@code advantages} are the KL-penalised ones when kl_in_reward is on, else null (the samples' own). */
    private record Update(double loss, LossStats stats, double gradNorm, long logprobNs, long updateNs,
            double[] advantages, Map<String, Double> offPolicy) {
        static final Update NONE = new Update(Double.NaN, LossStats.merge(List.of()), Double.NaN, 0, 0, null,
                new OffPolicyStats().toMetrics());
    }

    /**
     * kl_in_reward: the rewards less beta times each completion's summed KL between the sampling policy and the
     * reference, turned into advantages by the configured estimator.
     */
    private double[] klPenalisedAdvantages(List<ScoredCompletion> samples, RolloutBatch b, NDArray behaviour,
            NDArray ref) {
        double[] r = samples.stream().mapToDouble(ScoredCompletion::reward).toArray();
        double[] penalised = KlRewardPenalty.apply(r, behaviour, ref, b.mask(), config.klEstimator(), config.beta());
        return Advantages.compute(penalised, config.groupSize(), config.advantageEstimator(), config.scaleRewards());
    }

    private static float[] toFloats(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) f[i] = (float) x[i];
        return f;
    }

    private Update update(int step, List<ScoredCompletion> samples, double lr) {
        long t0 = System.nanoTime();
        try (NDManager sm = policy.manager().newSubManager()) {
            RolloutBatch b = RolloutBatch.build(sm, samples, config.maskTruncatedCompletions());
            int p = b.promptWidth();
            LossNormalizer whole = new LossNormalizer(b.maskedTokens(), b.size());
            List<GradientAccumulation.Range> micro = GradientAccumulation.split(b.size(),
                    Math.min(config.gradientAccumulationSteps(), b.size()));
            NDArray old = config.numIterations() > 1 ? constantLogProbs(policy, b, micro, sm) : null;
            NDArray ref = reference != null
                    ? OffloadedModel.use(reference, r -> constantLogProbs(r, b, micro, sm)) : null; // reference_offload
            NDArray advantages = b.advantages();
            double[] penalisedAdvantages = null;
            if (config.klInReward()) {
                NDArray behaviour = old != null ? old : constantLogProbs(policy, b, micro, sm);
                penalisedAdvantages = klPenalisedAdvantages(samples, b, behaviour, ref);
                advantages = sm.create(toFloats(penalisedAdvantages));
            }
            long logprobNs = System.nanoTime() - t0;
            double lossSum = 0, normSum = 0;
            List<LossStats> stats = new ArrayList<>();
            SamplerGap gap = new SamplerGap(config.rolloutCorrection(), samples, b.completionWidth(), b.mask());
            for (int it = 0; it < config.numIterations(); it++) {
                double iterLoss = 0;
                for (GradientAccumulation.Range r : micro) {
                    try (NDManager mb = sm.newSubManager()) {
                        NDIndex rows = new NDIndex("{}:{}", r.start(), r.end());
                        NDArray ids = slice(b.ids(), rows, mb), att = slice(b.attention(), rows, mb);
                        try (GradientCollector gc = Djl.engine().newGradientCollector()) {
                            CompletionLogProbs.Result lp =
                                    CompletionLogProbs.compute(policy, ids, att, p, config.temperature(), true);
                            // the trainer's pre-update log-probs: the old ones, or this first pass's own
                            NDArray before = old != null ? slice(old, rows, mb) : lp.logProbs();
                            NDArray weights = gap.weights(it == 0 ? before : null, r.start(), r.end(), mb);
                            PolicyLoss.Result res = loss.compute(lp.logProbs(), slice(old, rows, mb),
                                    slice(ref, rows, mb), slice(advantages, rows, mb), slice(b.mask(), rows, mb),
                                    lp.entropy(), whole, weights);
                            double v = res.loss().getFloat();
                            if (!Double.isFinite(v)) {
                                optimizer.zeroGrad();
                                throw new NonFiniteLossException(step, "the loss", v);
                            }
                            iterLoss += v;
                            stats.add(res.stats());
                            policy.backward(gc, res.loss());
                        }
                    }
                }
                double norm = GradientStep.apply(policy, optimizer, lr, config.optimizer().maxGradNorm(),
                        n -> new NonFiniteLossException(step, "the gradient norm", n));
                lossSum += iterLoss;
                normSum += norm;
            }
            int mu = config.numIterations();
            return new Update(lossSum / mu, LossStats.merge(stats), normSum / mu, logprobNs,
                    System.nanoTime() - t0 - logprobNs, penalisedAdvantages, gap.metrics());
        }
    }

    /**
     * Old-policy or reference log-probs of the whole batch as constants: micro-batch by micro-batch (bounding the
     * forward's activations like the update's), with autograd off (no graph on any thread, nothing to detach).
     */
    private NDArray constantLogProbs(CausalLM model, RolloutBatch b, List<GradientAccumulation.Range> micro,
            NDManager into) {
        NDList parts = new NDList();
        for (GradientAccumulation.Range r : micro) {
            NDIndex rows = new NDIndex("{}:{}", r.start(), r.end());
            try (NDManager mb = into.newSubManager()) {
                NDArray lp = CompletionLogProbs.constant(model, slice(b.ids(), rows, mb), slice(b.attention(), rows, mb),
                        b.promptWidth(), config.temperature(), into);
                parts.add(lp);
            }
        }
        if (parts.size() == 1) return parts.get(0);
        NDArray all = NDArrays.concat(parts, 0);
        all.attach(into);
        parts.close();
        return all;
    }

    private static NDArray slice(NDArray x, NDIndex rows, NDManager into) {
        if (x == null) return null;
        NDArray s = x.get(rows);
        s.attach(into);
        return s;
    }

    private GrpoStepMetrics metrics(int step, List<ScoredCompletion> all, int kept, int drawn, Update u, double lr,
            long genNs, long rewNs, Map<String, Double> extra) {
        int n = all.size();
        double mean = 0, correct = 0, len = 0, truncated = 0;
        long tokens = 0;
        for (ScoredCompletion s : all) {
            mean += s.reward();
            if (s.fullCredit()) correct++;
            tokens += s.completion().tokenIds().length;
            if (s.completion().finishReason() == FinishReason.LENGTH) truncated++;
        }
        mean /= n;
        double ss = 0;
        for (ScoredCompletion s : all) ss += (s.reward() - mean) * (s.reward() - mean);
        len = (double) tokens / n;
        LossStats st = u.stats();
        double elapsed = elapsedBefore + (System.nanoTime() - startNanos) / 1e9;
        return new GrpoStepMetrics(step, mean, n > 1 ? Math.sqrt(ss / (n - 1)) : 0, correct / n, u.loss(), st.kl(),
                st.clipFracLow(), st.clipFracHigh(), st.entropy(), st.ratioMean(), len, truncated / n, lr,
                u.gradNorm(), kept, drawn, tokens, genNs / 1e9, rewNs / 1e9, u.logprobNs() / 1e9, u.updateNs() / 1e9,
                elapsed, RewardStats.perReward(all.stream().map(ScoredCompletion::verdict).toList()),
                fracZeroStd(all, config.groupSize()), withToolStats(extra, all));
    }

    /** {@code extra} plus multi-turn episodes' tool-use statistics, {@code tools/<key>} (none for single-turn). */
    private static Map<String, Double> withToolStats(Map<String, Double> extra, List<ScoredCompletion> all) {
        Map<String, Double> out = new java.util.LinkedHashMap<>(extra);
        EpisodeStats.of(all.stream().map(ScoredCompletion::completion).toList()).forEach((k, v) -> out.put("tools/" + k, v));
        return out;
    }

    /** Frees the optimizer state; the models and the sampler stay open (the caller owns them). */
    @Override
    public void close() {
        MoeRouting.uninstall(policy, routing);
        if (async != null) async.close();
        optimizer.close();
    }
}

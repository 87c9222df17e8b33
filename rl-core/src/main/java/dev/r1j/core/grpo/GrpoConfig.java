package dev.r1j.core.grpo;

import dev.r1j.core.optim.LrSchedule;
import dev.r1j.core.optim.OptimizerConfig;
import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.options.Alias;
import dev.r1j.options.Default;
import dev.r1j.options.Help;
import dev.r1j.options.Inline;
import dev.r1j.options.OptionRecords;
import java.util.List;

/**
 * The options of {@link GrpoTrainer}, modelled on TRL's {@code GRPOConfig}. This record is the one declaration of
 * each option: its recipe key (the component in snake_case), default ({@link Default}), one line of help naming the
 * paper ({@link Help}), the other tools' names ({@link Alias}) and its validation (the compact constructor, which
 * names the key). The {@code grpo} stage binds it directly; {@link #builder()} starts Java users from the same
 * defaults. The optimizer keys come from the shared {@link OptimizerConfig} block.
 *
 * <pre>{@code
 * GrpoConfig c = GrpoConfig.builder().groupSize(8).clip(0.2, 0.28).lossType(LossType.DAPO).steps(200).build();
 * }</pre>
 */
public record GrpoConfig(
        @Help("completions sampled per prompt, G (DeepSeekMath GRPO, Shao et al. 2024)") @Default("8")
                @Alias(value = "num_generations", source = "TRL") int groupSize,
        @Help("maximum completion length; also dr_grpo's constant (Liu et al. 2025)") @Default("64")
                @Alias(value = "max_completion_length", source = "TRL")
                @Alias(value = "max_response_length", source = "veRL")
                int maxNewTokens,
        @Help("sampling temperature; the trainer's log-probs use the same temperature (GRPO, Shao et al. 2024)")
                @Default("1.0") double temperature,
        @Help("nucleus sampling mass, 1 = off (Holtzman et al. 2020)") @Default("1.0") double topP,
        @Help("keep only the k most likely tokens, 0 = off (Fan et al. 2018)") @Default("0") int topK,
        @Help("strings that end a completion") @Default("[]") List<String> stop,
        @Help("coefficient of the KL to the reference (kl_estimator; in the loss or kl_in_reward); 0 keeps no reference "
                + "(Shao et al. 2024; DAPO drops it, Yu et al. 2025)") @Default("0.0")
                @Alias(value = "kl_loss_coef", source = "veRL") double beta,
        @Help("k1 | k2 | k3: Schulman's (2020) per-token estimator of the KL to the reference (k3 is GRPO's)")
                @Default("k3") @Alias(value = "kl_loss_type", source = "veRL") KlEstimator klEstimator,
        @Help("subtract beta * the completion's summed per-token KL from its reward instead of a loss term (PPO-style "
                + "RLHF, Ouyang et al. 2022)") @Default("false") @Alias(value = "use_kl_in_reward", source = "veRL")
                boolean klInReward,
        @Help("don't keep the reference model in memory: load it for its log-prob pass each step and free it before "
                + "the update (its weights reread from the start checkpoint; OpenRLHF's --ref_reward_offload); "
                + "saves the reference's size at the update's peak; with lora the reference is the base with adapters "
                + "off, nothing to offload") @Default("false") boolean referenceOffload,
        @Help("ratio clip range [1-low, 1+high]; a larger high is DAPO's clip-higher (PPO, Schulman et al. 2017; "
                + "Yu et al. 2025)") Clip clip,
        @Help("dual-clip PPO: a token with negative advantage loses at most c*|A|; 0 = off, else c > 1 (Ye et al. 2020)")
                @Default("0.0") @Alias(value = "clip_ratio_c", source = "veRL") double dualClip,
        @Help("token | sequence: sequence = GSPO's length-normalised per-sequence ratio, clipped per sequence "
                + "(Zheng et al. 2025; TRL's name too)") @Default("token")
                ImportanceSamplingLevel importanceSamplingLevel,
        @Help("train only this top share of each micro-batch's tokens by entropy, 1 = all (\"80/20\", Wang et al. "
                + "2025; TRL's name too)") @Default("1.0") double topEntropyQuantile,
        @Help("grpo | dapo (token-level over the whole batch, Yu et al. 2025) | dr_grpo (Liu et al. 2025) | bnpo "
                + "(TRL's: token-level over each micro-batch's own tokens; differs from dapo only with accumulation) | cispo "
                + "(clipped stop-gradient IS weight times log-prob, dapo aggregation; MiniMax-M1 2025)")
                @Default("dapo") LossType lossType,
        @Help("group | batch | none (none = Dr. GRPO, Liu et al. 2025); batch for reinforce_pp*") @Default("group") ScaleRewards scaleRewards,
        @Help("grpo group-mean baseline | rloo leave-one-out (Ahmadian et al. 2024) | reinforce_pp, "
                + "reinforce_pp_baseline: batch-whitened, without/with group mean (REINFORCE++, Hu et al. 2025)")
                @Default("grpo") @Alias(value = "adv_estimator", source = "veRL")
                AdvantageEstimator advantageEstimator,
        @Help("updates per sampled batch, mu, reusing the old log-probs (GRPO, Shao et al. 2024)") @Default("1")
                @Alias(value = "ppo_epochs", source = "veRL") int numIterations,
        @Help("optimizer steps of the stage") @Default("100") @Alias(value = "max_steps", source = "TRL") int steps,
        @Help("prompts per step; the batch is prompts_per_step * group_size completions") @Default("8") int promptsPerStep,
        @Help("the AdamW optimizer and its schedule") @Inline @Default("{learning_rate: 1e-6}") OptimizerConfig optimizer,
        @Help("micro-batches per optimizer step; the loss is normalised over the whole batch") @Default("1")
                int gradientAccumulationSteps,
        @Help("drop groups with all-equal rewards and sample more prompts (DAPO, Yu et al. 2025)") @Default("false")
                boolean dynamicSampling,
        @Help("dynamic sampling gives up after this many rounds (DAPO's max_num_gen_batches)") @Default("3")
                int maxSamplingRounds,
        @Help("leave completions cut at max_new_tokens out of the loss (DAPO, Yu et al. 2025)") @Default("false")
                boolean maskTruncatedCompletions,
        @Help("L_cache of DAPO's soft overlong punishment, 0 = off (Yu et al. 2025)") @Default("0") int overlongBuffer,
        @Help("reward penalty at max length in DAPO's soft overlong punishment (Yu et al. 2025)") @Default("1.0")
                double overlongPenaltyFactor,
        @Help("mixture of experts: the trainer's forward uses the experts the sampler chose for each token and layer, "
                + "gate weights from the current router (routing replay, slime/veRL 2025); needs a local sampler")
                @Default("false") boolean routingReplay,
        @Help("off-policy correction of the sampler-vs-trainer gap: {mode: none|tis|mis, cap: C, level: token|sequence} "
                + "(TIS: Yao et al. 2025; MIS: veRL rollout_corr, IcePop; TRL vllm_importance_sampling_*)")
                RolloutCorrection rolloutCorrection,
        @Help("k: a generation thread samples the batches of steps t+1..t+k while the trainer updates on step t, "
                + "from weights up to k steps stale; 0 = synchronous (veRL's one-step off-policy, AReaL, PipelineRL)")
                @Default("0")
                int asyncSteps,
        @Help("online difficulty filtering: retire prompts whose recent pass rate is <= low or >= high (Skywork-OR1, "
                + "He et al. 2025)") @Default("{window: 0}") OnlineFilter onlineFilter,
        @Help("seed of sampling and prompt order (in a recipe: the recipe's seed)") @Default("42") long seed) {

    public GrpoConfig {
        positive("group_size", groupSize);
        positive("max_new_tokens", maxNewTokens);
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be finite and >= 0, got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        if (topK < 0) throw new IllegalArgumentException("top_k must be >= 0, got " + topK);
        stop = stop == null ? List.of() : List.copyOf(stop);
        nonNegative("beta", beta);
        if (klEstimator == null) throw new IllegalArgumentException("kl_estimator must be given");
        if (klInReward && beta == 0) {
            throw new IllegalArgumentException("kl_in_reward needs beta > 0 (the penalty's coefficient), got beta 0");
        }
        if (clip == null) throw new IllegalArgumentException("clip must be given");
        if (!(dualClip == 0 || dualClip > 1) || Double.isInfinite(dualClip)) {
            throw new IllegalArgumentException("dual_clip must be 0 (off) or a finite c > 1, got " + dualClip);
        }
        if (importanceSamplingLevel == null) {
            throw new IllegalArgumentException("importance_sampling_level must be given");
        }
        if (!(topEntropyQuantile > 0 && topEntropyQuantile <= 1)) {
            throw new IllegalArgumentException("top_entropy_quantile must be in (0, 1], got " + topEntropyQuantile);
        }
        if (lossType == LossType.CISPO && dualClip != 0) {
            throw new IllegalArgumentException("dual_clip bounds PPO's clipped surrogate, which loss_type cispo does not "
                    + "use: leave dual_clip at 0");
        }
        if (lossType == LossType.CISPO && importanceSamplingLevel == ImportanceSamplingLevel.SEQUENCE) {
            throw new IllegalArgumentException("importance_sampling_level: sequence (GSPO) cannot be combined with "
                    + "loss_type cispo, whose weights are per token");
        }
        if (topEntropyQuantile < 1 && importanceSamplingLevel == ImportanceSamplingLevel.SEQUENCE) {
            throw new IllegalArgumentException("top_entropy_quantile " + topEntropyQuantile + " selects single tokens, "
                    + "which needs per-token ratios: it cannot be combined with importance_sampling_level: sequence "
                    + "(GSPO's one ratio per sequence)");
        }
        if (lossType == null) throw new IllegalArgumentException("loss_type must be given");
        if (scaleRewards == null) throw new IllegalArgumentException("scale_rewards must be given");
        if (advantageEstimator == null) throw new IllegalArgumentException("advantage_estimator must be given");
        if (advantageEstimator.batchWhitened() && scaleRewards != ScaleRewards.BATCH) {
            throw new IllegalArgumentException("advantage_estimator " + advantageEstimator.name().toLowerCase()
                    + " normalises over the whole batch (REINFORCE++): set scale_rewards: batch, got "
                    + scaleRewards.name().toLowerCase());
        }
        if (groupSize < 2 && advantageEstimator.needsGroup()) {
            // one completion per prompt has no group to compare with: every advantage would be 0
            throw new IllegalArgumentException("group_size must be >= 2 for advantage_estimator "
                    + advantageEstimator.name().toLowerCase() + " (a group of one has zero advantage), got " + groupSize);
        }
        if (temperature == 0) {
            throw new IllegalArgumentException("temperature 0 samples the same greedy completion G times: every "
                    + "advantage would be 0; use a temperature > 0 (1.0 is on-policy)");
        }
        positive("num_iterations", numIterations);
        positive("steps", steps);
        positive("prompts_per_step", promptsPerStep);
        if (optimizer == null) throw new IllegalArgumentException("the optimizer settings must be given");
        positive("gradient_accumulation_steps", gradientAccumulationSteps);
        if (gradientAccumulationSteps > promptsPerStep * groupSize) {
            throw new IllegalArgumentException("gradient_accumulation_steps (" + gradientAccumulationSteps
                    + ") exceeds the " + promptsPerStep * groupSize + " completions of a step");
        }
        positive("max_sampling_rounds", maxSamplingRounds);
        if (dynamicSampling && groupSize < 2) {
            throw new IllegalArgumentException("dynamic_sampling drops groups with all-equal rewards: a group_size of "
                    + groupSize + " would drop every group; use group_size >= 2");
        }
        if (overlongBuffer < 0 || overlongBuffer > maxNewTokens) {
            throw new IllegalArgumentException(
                    "overlong_buffer must be in [0, max_new_tokens=" + maxNewTokens + "], got " + overlongBuffer);
        }
        nonNegative("overlong_penalty_factor", overlongPenaltyFactor);
        if (rolloutCorrection == null) throw new IllegalArgumentException("rollout_correction must be given");
        if (rolloutCorrection.active() && rolloutCorrection.level() == ImportanceSamplingLevel.TOKEN
                && importanceSamplingLevel == ImportanceSamplingLevel.SEQUENCE) {
            throw new IllegalArgumentException("rollout_correction.level: token weights or drops single tokens, which "
                    + "undoes importance_sampling_level: sequence (GSPO's one ratio per sequence): use "
                    + "rollout_correction.level: sequence");
        }
        if (asyncSteps < 0) throw new IllegalArgumentException("async_steps must be >= 0, got " + asyncSteps);
        if (onlineFilter == null) throw new IllegalArgumentException("online_filter must be given ({window: 0} is off)");
        if (asyncSteps > 0 && onlineFilter.enabled()) {
            throw new IllegalArgumentException("online_filter cannot be combined with async_steps > 0 yet: the batches "
                    + "generated ahead would pick prompts from pass rates of steps not yet trained on, and a checkpoint's "
                    + "pending batches do not record the prompts the filter skipped; use async_steps: 0");
        }
        if (asyncSteps > 0 && routingReplay) {
            throw new IllegalArgumentException("routing_replay records the experts the policy itself chose while "
                    + "sampling; with async_steps > 0 a snapshot of the policy samples and nothing is recorded: use "
                    + "async_steps: 0");
        }
    }

    /** Every option at its default. */
    public static GrpoConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** The sampling parameters of one step; {@code seed} varies per step so that groups differ across steps. */
    public SamplingParams samplingParams(long stepSeed) {
        return new SamplingParams(groupSize, maxNewTokens, temperature, topP, topK, stop, stepSeed);
    }

    /** The learning-rate schedule over {@link #steps()}. */
    public LrSchedule schedule() {
        return optimizer.schedule(steps);
    }

    private static void positive(String name, int v) {
        if (v < 1) throw new IllegalArgumentException(name + " must be >= 1, got " + v);
    }

    private static void nonNegative(String name, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(name + " must be finite and >= 0, got " + v);
        }
    }

    /**
     * Fluent construction from the defaults. Each setter is one line over {@link OptionRecords.Builder#set}; a test
     * checks that every option has one.
     */
    public static final class Builder extends OptionRecords.Builder<GrpoConfig> {
        private Builder() { super(GrpoConfig.class); }
        private Builder(GrpoConfig from) { super(from); }

        public Builder groupSize(int v) { set("groupSize", v); return this; }
        public Builder maxNewTokens(int v) { set("maxNewTokens", v); return this; }
        public Builder temperature(double v) { set("temperature", v); return this; }
        public Builder topP(double v) { set("topP", v); return this; }
        public Builder topK(int v) { set("topK", v); return this; }
        public Builder stop(List<String> v) { set("stop", v); return this; }
        public Builder beta(double v) { set("beta", v); return this; }
        public Builder klEstimator(KlEstimator v) { set("klEstimator", v); return this; }
        public Builder klInReward(boolean v) { set("klInReward", v); return this; }
        public Builder referenceOffload(boolean v) { set("referenceOffload", v); return this; }
        public Builder clip(double low, double high) { set("clip", new Clip(low, high)); return this; }
        public Builder dualClip(double v) { set("dualClip", v); return this; }
        public Builder topEntropyQuantile(double v) { set("topEntropyQuantile", v); return this; }
        public Builder importanceSamplingLevel(ImportanceSamplingLevel v) {
            set("importanceSamplingLevel", v); return this;
        }
        public Builder lossType(LossType v) { set("lossType", v); return this; }
        public Builder scaleRewards(ScaleRewards v) { set("scaleRewards", v); return this; }
        public Builder advantageEstimator(AdvantageEstimator v) { set("advantageEstimator", v); return this; }
        public Builder numIterations(int v) { set("numIterations", v); return this; }
        public Builder steps(int v) { set("steps", v); return this; }
        public Builder promptsPerStep(int v) { set("promptsPerStep", v); return this; }
        public Builder optimizer(OptimizerConfig v) { set("optimizer", v); return this; }
        public Builder learningRate(double v) { set("learningRate", v); return this; }
        public Builder warmupSteps(int v) { set("warmupSteps", v); return this; }
        public Builder lrSchedule(LrSchedule.Kind v) { set("lrSchedule", v); return this; }
        public Builder minLrRatio(double v) { set("minLrRatio", v); return this; }
        public Builder weightDecay(double v) { set("weightDecay", v); return this; }
        public Builder adam(double beta1, double beta2, double epsilon) {
            set("adamBeta1", beta1); set("adamBeta2", beta2); set("adamEpsilon", epsilon); return this;
        }
        public Builder maxGradNorm(double v) { set("maxGradNorm", v); return this; }
        public Builder gradientAccumulationSteps(int v) { set("gradientAccumulationSteps", v); return this; }
        public Builder dynamicSampling(boolean v) { set("dynamicSampling", v); return this; }
        public Builder maxSamplingRounds(int v) { set("maxSamplingRounds", v); return this; }
        public Builder maskTruncatedCompletions(boolean v) { set("maskTruncatedCompletions", v); return this; }
        public Builder overlongBuffer(int v) { set("overlongBuffer", v); return this; }
        public Builder overlongPenaltyFactor(double v) { set("overlongPenaltyFactor", v); return this; }
        public Builder routingReplay(boolean v) { set("routingReplay", v); return this; }
        public Builder rolloutCorrection(RolloutCorrection v) { set("rolloutCorrection", v); return this; }
        public Builder asyncSteps(int v) { set("asyncSteps", v); return this; }
        public Builder onlineFilter(OnlineFilter v) { set("onlineFilter", v); return this; }
        public Builder seed(long v) { set("seed", v); return this; }
    }
}

package dev.r1j.core.grpo;

import dev.r1j.core.optim.LrSchedule;
import dev.r1j.core.sampling.SamplingParams;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Options of the {@code grpo} stage, modelled on TRL's {@code GRPOConfig}; {@link #OPTIONS} lists each recipe key
 * with its default and a one-line help naming the paper it comes from. Invalid values fail in the constructor with
 * the key's name.
 *
 * <pre>{@code
 * GrpoConfig c = GrpoConfig.builder().groupSize(8).clip(0.2, 0.28).lossType(LossType.DAPO).steps(200).build();
 * }</pre>
 */
public record GrpoConfig(
        int groupSize,
        int maxNewTokens,
        double temperature,
        double topP,
        int topK,
        List<String> stop,
        double beta,
        Clip clip,
        LossType lossType,
        ScaleRewards scaleRewards,
        AdvantageEstimator advantageEstimator,
        int numIterations,
        int steps,
        int promptsPerStep,
        double learningRate,
        int warmupSteps,
        LrSchedule.Kind lrSchedule,
        double minLrRatio,
        double weightDecay,
        double adamBeta1,
        double adamBeta2,
        double adamEpsilon,
        double maxGradNorm,
        int gradientAccumulationSteps,
        boolean dynamicSampling,
        int maxSamplingRounds,
        boolean maskTruncatedCompletions,
        int overlongBuffer,
        double overlongPenaltyFactor,
        long seed,
        int checkpointEvery,
        int logCompletionsEvery) {

    /** The clip range of the ratio, {@code [1 - low, 1 + high]} (recipe key {@code clip: {low, high}}). */
    public record Clip(double low, double high) {
        public Clip {
            if (!(low >= 0 && low < 1)) throw new IllegalArgumentException("clip.low must be in [0, 1), got " + low);
            if (!(high >= 0) || Double.isInfinite(high)) {
                throw new IllegalArgumentException("clip.high must be finite and >= 0, got " + high);
            }
        }
    }

    /** One recipe key: its name, default value and help. */
    public record Option(String name, Object defaultValue, String help) {}

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
        if (clip == null) throw new IllegalArgumentException("clip must be given");
        if (lossType == null) throw new IllegalArgumentException("loss_type must be given");
        if (scaleRewards == null) throw new IllegalArgumentException("scale_rewards must be given");
        if (advantageEstimator == null) throw new IllegalArgumentException("advantage_estimator must be given");
        if (advantageEstimator == AdvantageEstimator.RLOO && groupSize < 2) {
            throw new IllegalArgumentException("advantage_estimator rloo needs group_size >= 2, got " + groupSize);
        }
        positive("num_iterations", numIterations);
        positive("steps", steps);
        positive("prompts_per_step", promptsPerStep);
        nonNegative("learning_rate", learningRate);
        if (warmupSteps < 0) throw new IllegalArgumentException("warmup_steps must be >= 0, got " + warmupSteps);
        if (lrSchedule == null) throw new IllegalArgumentException("lr_schedule must be given");
        if (!(minLrRatio >= 0 && minLrRatio <= 1)) {
            throw new IllegalArgumentException("min_lr_ratio must be in [0, 1], got " + minLrRatio);
        }
        nonNegative("weight_decay", weightDecay);
        if (!(adamBeta1 >= 0 && adamBeta1 < 1)) {
            throw new IllegalArgumentException("adam_beta1 must be in [0, 1), got " + adamBeta1);
        }
        if (!(adamBeta2 >= 0 && adamBeta2 < 1)) {
            throw new IllegalArgumentException("adam_beta2 must be in [0, 1), got " + adamBeta2);
        }
        if (!(adamEpsilon > 0)) throw new IllegalArgumentException("adam_epsilon must be > 0, got " + adamEpsilon);
        if (!(maxGradNorm >= 0)) {
            throw new IllegalArgumentException("max_grad_norm must be >= 0 (0 = no clipping), got " + maxGradNorm);
        }
        positive("gradient_accumulation_steps", gradientAccumulationSteps);
        if (gradientAccumulationSteps > promptsPerStep * groupSize) {
            throw new IllegalArgumentException("gradient_accumulation_steps (" + gradientAccumulationSteps
                    + ") exceeds the " + promptsPerStep * groupSize + " completions of a step");
        }
        positive("max_sampling_rounds", maxSamplingRounds);
        if (overlongBuffer < 0 || overlongBuffer > maxNewTokens) {
            throw new IllegalArgumentException(
                    "overlong_buffer must be in [0, max_new_tokens=" + maxNewTokens + "], got " + overlongBuffer);
        }
        nonNegative("overlong_penalty_factor", overlongPenaltyFactor);
        positive("checkpoint_every", checkpointEvery);
        if (logCompletionsEvery < 0) {
            throw new IllegalArgumentException("log_completions_every must be >= 0 (0 = never), got "
                    + logCompletionsEvery);
        }
    }

    /** Every recipe key with its default and help, in declaration order. */
    public static final List<Option> OPTIONS = List.of(
            new Option("group_size", 8, "completions sampled per prompt, G (DeepSeekMath GRPO, Shao et al. 2024)"),
            new Option("max_new_tokens", 64, "maximum completion length; also dr_grpo's constant (Liu et al. 2025)"),
            new Option("temperature", 1.0, "sampling temperature; 1.0 keeps the sampler on-policy (GRPO, Shao et al. 2024)"),
            new Option("top_p", 1.0, "nucleus sampling mass, 1 = off (Holtzman et al. 2020)"),
            new Option("top_k", 0, "keep only the k most likely tokens, 0 = off (Fan et al. 2018)"),
            new Option("stop", List.of(), "strings that end a completion"),
            new Option("beta", 0.0, "coefficient of the k3 KL to the reference; 0 keeps no reference (DAPO, Yu et al. 2025)"),
            new Option("clip", Map.of("low", 0.2, "high", 0.2),
                    "ratio clip range [1-low, 1+high]; a larger high is DAPO's clip-higher (PPO, Schulman et al. 2017; Yu et al. 2025)"),
            new Option("loss_type", "dapo", "grpo | dapo (token-level, Yu et al. 2025) | dr_grpo (Liu et al. 2025)"),
            new Option("scale_rewards", "group", "group | batch | none (none = Dr. GRPO, Liu et al. 2025)"),
            new Option("advantage_estimator", "grpo", "grpo group-mean baseline | rloo leave-one-out (Ahmadian et al. 2024)"),
            new Option("num_iterations", 1, "updates per sampled batch, mu, reusing the old log-probs (GRPO, Shao et al. 2024)"),
            new Option("steps", 100, "optimizer steps of the stage"),
            new Option("prompts_per_step", 8, "prompts per step; the batch is prompts_per_step * group_size completions"),
            new Option("learning_rate", 1e-6, "peak AdamW learning rate (Loshchilov and Hutter 2019)"),
            new Option("warmup_steps", 0, "linear warmup steps (Goyal et al. 2017)"),
            new Option("lr_schedule", "constant", "constant | cosine (Loshchilov and Hutter, SGDR 2017) | linear, after warmup"),
            new Option("min_lr_ratio", 0.0, "final learning rate of cosine/linear decay as a fraction of the peak"),
            new Option("weight_decay", 0.0, "decoupled weight decay, not applied to norms and biases (AdamW, Loshchilov and Hutter 2019)"),
            new Option("adam_beta1", 0.9, "AdamW first-moment decay (Kingma and Ba 2015)"),
            new Option("adam_beta2", 0.999, "AdamW second-moment decay (Kingma and Ba 2015)"),
            new Option("adam_epsilon", 1e-8, "AdamW denominator epsilon (Kingma and Ba 2015)"),
            new Option("max_grad_norm", 1.0, "global gradient-norm clip, 0 = off (Pascanu et al. 2013)"),
            new Option("gradient_accumulation_steps", 1, "micro-batches per optimizer step; the loss is normalised over the whole batch"),
            new Option("dynamic_sampling", false, "drop groups with all-equal rewards and sample more prompts (DAPO, Yu et al. 2025)"),
            new Option("max_sampling_rounds", 3, "dynamic sampling gives up after this many rounds (DAPO's max_num_gen_batches)"),
            new Option("mask_truncated_completions", false, "leave completions cut at max_new_tokens out of the loss (DAPO, Yu et al. 2025)"),
            new Option("overlong_buffer", 0, "L_cache of DAPO's soft overlong punishment, 0 = off (Yu et al. 2025)"),
            new Option("overlong_penalty_factor", 1.0, "reward penalty at max length in DAPO's soft overlong punishment (Yu et al. 2025)"),
            new Option("seed", 42L, "seed of sampling, shuffling and initialisation"),
            new Option("checkpoint_every", 50, "save a checkpoint every N steps"),
            new Option("log_completions_every", 10, "append a sample of completions to completions.jsonl every N steps, 0 = never"));

    /** The defaults of {@link #OPTIONS}. */
    public static GrpoConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.groupSize = groupSize; b.maxNewTokens = maxNewTokens; b.temperature = temperature; b.topP = topP;
        b.topK = topK; b.stop = stop; b.beta = beta; b.clipLow = clip.low(); b.clipHigh = clip.high();
        b.lossType = lossType; b.scaleRewards = scaleRewards; b.advantageEstimator = advantageEstimator;
        b.numIterations = numIterations; b.steps = steps; b.promptsPerStep = promptsPerStep;
        b.learningRate = learningRate; b.warmupSteps = warmupSteps; b.lrSchedule = lrSchedule;
        b.minLrRatio = minLrRatio; b.weightDecay = weightDecay; b.adamBeta1 = adamBeta1; b.adamBeta2 = adamBeta2;
        b.adamEpsilon = adamEpsilon; b.maxGradNorm = maxGradNorm;
        b.gradientAccumulationSteps = gradientAccumulationSteps; b.dynamicSampling = dynamicSampling;
        b.maxSamplingRounds = maxSamplingRounds; b.maskTruncatedCompletions = maskTruncatedCompletions;
        b.overlongBuffer = overlongBuffer; b.overlongPenaltyFactor = overlongPenaltyFactor; b.seed = seed;
        b.checkpointEvery = checkpointEvery; b.logCompletionsEvery = logCompletionsEvery;
        return b;
    }

    /** The sampling parameters of one step; {@code seed} varies per step so that groups differ across steps. */
    public SamplingParams samplingParams(long stepSeed) {
        return new SamplingParams(groupSize, maxNewTokens, temperature, topP, topK, stop, stepSeed);
    }

    /** The learning-rate schedule over {@link #steps()}. */
    public LrSchedule schedule() {
        return new LrSchedule(lrSchedule, learningRate, warmupSteps, steps, minLrRatio);
    }

    /** The options as recipe keys and plain values, keyed as in {@link #OPTIONS}. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("group_size", groupSize); m.put("max_new_tokens", maxNewTokens); m.put("temperature", temperature);
        m.put("top_p", topP); m.put("top_k", topK); m.put("stop", stop); m.put("beta", beta);
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("low", clip.low()); c.put("high", clip.high());
        m.put("clip", c);
        m.put("loss_type", lossType.wireName()); m.put("scale_rewards", scaleRewards.wireName());
        m.put("advantage_estimator", advantageEstimator.wireName()); m.put("num_iterations", numIterations);
        m.put("steps", steps); m.put("prompts_per_step", promptsPerStep); m.put("learning_rate", learningRate);
        m.put("warmup_steps", warmupSteps); m.put("lr_schedule", lrSchedule.wireName());
        m.put("min_lr_ratio", minLrRatio); m.put("weight_decay", weightDecay); m.put("adam_beta1", adamBeta1);
        m.put("adam_beta2", adamBeta2); m.put("adam_epsilon", adamEpsilon); m.put("max_grad_norm", maxGradNorm);
        m.put("gradient_accumulation_steps", gradientAccumulationSteps);
        m.put("dynamic_sampling", dynamicSampling); m.put("max_sampling_rounds", maxSamplingRounds);
        m.put("mask_truncated_completions", maskTruncatedCompletions); m.put("overlong_buffer", overlongBuffer);
        m.put("overlong_penalty_factor", overlongPenaltyFactor); m.put("seed", seed);
        m.put("checkpoint_every", checkpointEvery); m.put("log_completions_every", logCompletionsEvery);
        return m;
    }

    private static void positive(String name, int v) {
        if (v < 1) throw new IllegalArgumentException(name + " must be >= 1, got " + v);
    }

    private static void nonNegative(String name, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(name + " must be finite and >= 0, got " + v);
        }
    }

    /** Fluent construction starting from the defaults of {@link #OPTIONS}. */
    public static final class Builder {
        private int groupSize = 8;
        private int maxNewTokens = 64;
        private double temperature = 1.0;
        private double topP = 1.0;
        private int topK = 0;
        private List<String> stop = List.of();
        private double beta = 0.0;
        private double clipLow = 0.2;
        private double clipHigh = 0.2;
        private LossType lossType = LossType.DAPO;
        private ScaleRewards scaleRewards = ScaleRewards.GROUP;
        private AdvantageEstimator advantageEstimator = AdvantageEstimator.GRPO;
        private int numIterations = 1;
        private int steps = 100;
        private int promptsPerStep = 8;
        private double learningRate = 1e-6;
        private int warmupSteps = 0;
        private LrSchedule.Kind lrSchedule = LrSchedule.Kind.CONSTANT;
        private double minLrRatio = 0.0;
        private double weightDecay = 0.0;
        private double adamBeta1 = 0.9;
        private double adamBeta2 = 0.999;
        private double adamEpsilon = 1e-8;
        private double maxGradNorm = 1.0;
        private int gradientAccumulationSteps = 1;
        private boolean dynamicSampling = false;
        private int maxSamplingRounds = 3;
        private boolean maskTruncatedCompletions = false;
        private int overlongBuffer = 0;
        private double overlongPenaltyFactor = 1.0;
        private long seed = 42L;
        private int checkpointEvery = 50;
        private int logCompletionsEvery = 10;

        private Builder() {}

        public Builder groupSize(int v) { groupSize = v; return this; }
        public Builder maxNewTokens(int v) { maxNewTokens = v; return this; }
        public Builder temperature(double v) { temperature = v; return this; }
        public Builder topP(double v) { topP = v; return this; }
        public Builder topK(int v) { topK = v; return this; }
        public Builder stop(List<String> v) { stop = v; return this; }
        public Builder beta(double v) { beta = v; return this; }
        public Builder clip(double low, double high) { clipLow = low; clipHigh = high; return this; }
        public Builder lossType(LossType v) { lossType = v; return this; }
        public Builder scaleRewards(ScaleRewards v) { scaleRewards = v; return this; }
        public Builder advantageEstimator(AdvantageEstimator v) { advantageEstimator = v; return this; }
        public Builder numIterations(int v) { numIterations = v; return this; }
        public Builder steps(int v) { steps = v; return this; }
        public Builder promptsPerStep(int v) { promptsPerStep = v; return this; }
        public Builder learningRate(double v) { learningRate = v; return this; }
        public Builder warmupSteps(int v) { warmupSteps = v; return this; }
        public Builder lrSchedule(LrSchedule.Kind v) { lrSchedule = v; return this; }
        public Builder minLrRatio(double v) { minLrRatio = v; return this; }
        public Builder weightDecay(double v) { weightDecay = v; return this; }
        public Builder adam(double beta1, double beta2, double epsilon) {
            adamBeta1 = beta1; adamBeta2 = beta2; adamEpsilon = epsilon; return this;
        }
        public Builder maxGradNorm(double v) { maxGradNorm = v; return this; }
        public Builder gradientAccumulationSteps(int v) { gradientAccumulationSteps = v; return this; }
        public Builder dynamicSampling(boolean v) { dynamicSampling = v; return this; }
        public Builder maxSamplingRounds(int v) { maxSamplingRounds = v; return this; }
        public Builder maskTruncatedCompletions(boolean v) { maskTruncatedCompletions = v; return this; }
        public Builder overlongBuffer(int v) { overlongBuffer = v; return this; }
        public Builder overlongPenaltyFactor(double v) { overlongPenaltyFactor = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder checkpointEvery(int v) { checkpointEvery = v; return this; }
        public Builder logCompletionsEvery(int v) { logCompletionsEvery = v; return this; }

        public GrpoConfig build() {
            return new GrpoConfig(groupSize, maxNewTokens, temperature, topP, topK, stop, beta,
                    new Clip(clipLow, clipHigh), lossType, scaleRewards, advantageEstimator, numIterations, steps,
                    promptsPerStep, learningRate, warmupSteps, lrSchedule, minLrRatio, weightDecay, adamBeta1,
                    adamBeta2, adamEpsilon, maxGradNorm, gradientAccumulationSteps, dynamicSampling,
                    maxSamplingRounds, maskTruncatedCompletions, overlongBuffer, overlongPenaltyFactor, seed,
                    checkpointEvery, logCompletionsEvery);
        }
    }
}

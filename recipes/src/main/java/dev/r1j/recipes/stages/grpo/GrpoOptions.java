package dev.r1j.recipes.stages.grpo;

import dev.r1j.core.grpo.AdvantageEstimator;
import dev.r1j.core.grpo.GrpoConfig;
import dev.r1j.core.grpo.LossType;
import dev.r1j.core.grpo.ScaleRewards;
import dev.r1j.core.optim.LrSchedule;
import dev.r1j.recipes.config.Default;
import dev.r1j.recipes.config.Help;
import dev.r1j.recipes.stage.VerifierSpec;
import dev.r1j.recipes.stages.DatasetSpec;
import dev.r1j.verifiers.CompositeVerifier.Combination;
import java.util.List;

/**
 * Options of the {@code grpo} stage: the dataset and reward, then every key of rl-core's {@link GrpoConfig} with
 * the same name and default (a test keeps the two in step), then checkpointing. The compact constructor builds the
 * {@link GrpoConfig} once, so its validation is the one that applies.
 *
 * <pre>{@code
 * - grpo:
 *     dataset: ${run_dir}/data/arith-train.jsonl
 *     verifiers: [{name: math, gate: format}, {name: format, weight: 0.1}]
 *     steps: 60
 *     learning_rate: 0.0005
 * }</pre>
 */
public record GrpoOptions(
        @Help("training prompts (JSONL with prompt and answer)") DatasetSpec dataset,
        @Help("reward = sum of weight * verifier reward (e.g. [math, {name: format, weight: 0.1}])") @Default("[math]")
                List<VerifierSpec> verifiers,
        @Help("weighted_sum: sum of weight * value per completion | normalized_sum: each verifier's values "
                + "standardised over the group first, then the weighted sum (GDPO-style)") @Default("weighted_sum")
                Combination combination,
        @Help("completions sampled per prompt, G (DeepSeekMath GRPO, Shao et al. 2024)") @Default("8") int groupSize,
        @Help("maximum completion length; also dr_grpo's constant (Liu et al. 2025)") @Default("64") int maxNewTokens,
        @Help("sampling temperature; 1.0 keeps the sampler on-policy (GRPO, Shao et al. 2024)") @Default("1.0")
                double temperature,
        @Help("nucleus sampling mass, 1 = off (Holtzman et al. 2020)") @Default("1.0") double topP,
        @Help("keep only the k most likely tokens, 0 = off (Fan et al. 2018)") @Default("0") int topK,
        @Help("strings that end a completion") @Default("[]") List<String> stop,
        @Help("coefficient of the k3 KL to the reference; 0 keeps no reference (DAPO, Yu et al. 2025)") @Default("0.0")
                double beta,
        @Help("ratio clip range [1-low, 1+high]; a larger high is DAPO's clip-higher (PPO, Schulman et al. 2017)")
                Clip clip,
        @Help("grpo | dapo (token-level, Yu et al. 2025) | dr_grpo (Liu et al. 2025)") @Default("dapo") LossType lossType,
        @Help("group | batch | none (none = Dr. GRPO, Liu et al. 2025)") @Default("group") ScaleRewards scaleRewards,
        @Help("grpo group-mean baseline | rloo leave-one-out (Ahmadian et al. 2024)") @Default("grpo")
                AdvantageEstimator advantageEstimator,
        @Help("updates per sampled batch, mu, reusing the old log-probs (GRPO, Shao et al. 2024)") @Default("1")
                int numIterations,
        @Help("optimizer steps of the stage") @Default("100") int steps,
        @Help("prompts per step; the batch is prompts_per_step * group_size completions") @Default("8") int promptsPerStep,
        @Help("peak AdamW learning rate (Loshchilov and Hutter 2019)") @Default("1e-6") double learningRate,
        @Help("linear warmup steps (Goyal et al. 2017)") @Default("0") int warmupSteps,
        @Help("constant | cosine (Loshchilov and Hutter, SGDR 2017) | linear, after warmup") @Default("constant")
                LrSchedule.Kind lrSchedule,
        @Help("final learning rate of cosine/linear decay as a fraction of the peak") @Default("0.0") double minLrRatio,
        @Help("decoupled weight decay, not on norms and biases (AdamW, Loshchilov and Hutter 2019)") @Default("0.0")
                double weightDecay,
        @Help("AdamW first-moment decay (Kingma and Ba 2015)") @Default("0.9") double adamBeta1,
        @Help("AdamW second-moment decay (Kingma and Ba 2015)") @Default("0.999") double adamBeta2,
        @Help("AdamW denominator epsilon (Kingma and Ba 2015)") @Default("1e-8") double adamEpsilon,
        @Help("global gradient-norm clip, 0 = off (Pascanu et al. 2013)") @Default("1.0") double maxGradNorm,
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
        @Help("seed of sampling and prompt order; null: the recipe's seed") @Default("null") Long seed,
        @Help("save a checkpoint (model, optimizer, data position, step) every N steps") @Default("50")
                int checkpointEvery,
        @Help("checkpoints kept (the newest), 0 = all") @Default("2") int keepCheckpoints,
        @Help("append a sample of completions to completions.jsonl every N steps, 0 = never") @Default("10")
                int logCompletionsEvery,
        @Help("completions of a step written to completions.jsonl") @Default("16") int completionsPerLog,
        @Help("PyTorch intra-op threads, 0 = the engine's default (1 is fastest for toy models)") @Default("0")
                int numThreads,
        @Help("start from this checkpoint directory instead of the previous stage's model; null: the previous one")
                @Default("null") String model) {

    /** The ratio clip range (recipe key {@code clip: {low, high}}). */
    public record Clip(
            @Help("lower clip epsilon: the ratio is kept >= 1 - low") @Default("0.2") double low,
            @Help("upper clip epsilon: the ratio is kept <= 1 + high (DAPO clip-higher: 0.28)") @Default("0.2")
                    double high) {}

    /** Validates; a full constructor so that {@link #toConfig} can run GrpoConfig's own checks on the fields. */
    public GrpoOptions(DatasetSpec dataset, List<VerifierSpec> verifiers, Combination combination, int groupSize, int maxNewTokens,
            double temperature, double topP, int topK, List<String> stop, double beta, Clip clip, LossType lossType,
            ScaleRewards scaleRewards, AdvantageEstimator advantageEstimator, int numIterations, int steps,
            int promptsPerStep, double learningRate, int warmupSteps, LrSchedule.Kind lrSchedule, double minLrRatio,
            double weightDecay, double adamBeta1, double adamBeta2, double adamEpsilon, double maxGradNorm,
            int gradientAccumulationSteps, boolean dynamicSampling, int maxSamplingRounds,
            boolean maskTruncatedCompletions, int overlongBuffer, double overlongPenaltyFactor, Long seed,
            int checkpointEvery, int keepCheckpoints, int logCompletionsEvery, int completionsPerLog, int numThreads,
            String model) {
        if (verifiers == null || verifiers.isEmpty()) {
            throw new IllegalArgumentException("verifiers must name at least one verifier");
        }
        verifiers = List.copyOf(verifiers);
        VerifierSpec.checkGates("verifiers", verifiers);
        stop = stop == null ? List.of() : List.copyOf(stop);
        if (keepCheckpoints < 0) throw new IllegalArgumentException("keep_checkpoints must be >= 0, got " + keepCheckpoints);
        if (completionsPerLog < 1) {
            throw new IllegalArgumentException("completions_per_log must be >= 1, got " + completionsPerLog);
        }
        this.dataset = dataset;
        this.verifiers = verifiers;
        this.combination = combination == null ? Combination.WEIGHTED_SUM : combination;
        this.groupSize = groupSize;
        this.maxNewTokens = maxNewTokens;
        this.temperature = temperature;
        this.topP = topP;
        this.topK = topK;
        this.stop = stop;
        this.beta = beta;
        this.clip = clip;
        this.lossType = lossType;
        this.scaleRewards = scaleRewards;
        this.advantageEstimator = advantageEstimator;
        this.numIterations = numIterations;
        this.steps = steps;
        this.promptsPerStep = promptsPerStep;
        this.learningRate = learningRate;
        this.warmupSteps = warmupSteps;
        this.lrSchedule = lrSchedule;
        this.minLrRatio = minLrRatio;
        this.weightDecay = weightDecay;
        this.adamBeta1 = adamBeta1;
        this.adamBeta2 = adamBeta2;
        this.adamEpsilon = adamEpsilon;
        this.maxGradNorm = maxGradNorm;
        this.gradientAccumulationSteps = gradientAccumulationSteps;
        this.dynamicSampling = dynamicSampling;
        this.maxSamplingRounds = maxSamplingRounds;
        this.maskTruncatedCompletions = maskTruncatedCompletions;
        this.overlongBuffer = overlongBuffer;
        this.overlongPenaltyFactor = overlongPenaltyFactor;
        this.seed = seed;
        this.checkpointEvery = checkpointEvery;
        this.keepCheckpoints = keepCheckpoints;
        this.logCompletionsEvery = logCompletionsEvery;
        this.completionsPerLog = completionsPerLog;
        this.numThreads = numThreads;
        this.model = model;
        toConfig(0L); // GrpoConfig's own validation, naming the key
    }

    /** The trainer's configuration with this seed (the recipe's when {@link #seed} is null). */
    public GrpoConfig toConfig(long defaultSeed) {
        return GrpoConfig.builder().groupSize(groupSize).maxNewTokens(maxNewTokens).temperature(temperature).topP(topP)
                .topK(topK).stop(stop).beta(beta).clip(clip.low(), clip.high()).lossType(lossType)
                .scaleRewards(scaleRewards).advantageEstimator(advantageEstimator).numIterations(numIterations)
                .steps(steps).promptsPerStep(promptsPerStep).learningRate(learningRate).warmupSteps(warmupSteps)
                .lrSchedule(lrSchedule).minLrRatio(minLrRatio).weightDecay(weightDecay)
                .adam(adamBeta1, adamBeta2, adamEpsilon).maxGradNorm(maxGradNorm)
                .gradientAccumulationSteps(gradientAccumulationSteps).dynamicSampling(dynamicSampling)
                .maxSamplingRounds(maxSamplingRounds).maskTruncatedCompletions(maskTruncatedCompletions)
                .overlongBuffer(overlongBuffer).overlongPenaltyFactor(overlongPenaltyFactor)
                .seed(seed != null ? seed : defaultSeed).checkpointEvery(checkpointEvery)
                .logCompletionsEvery(logCompletionsEvery).build();
    }
}

package dev.r1j.recipes.stages.dpo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.r1j.core.io.TrainingCheckpoint;
import dev.r1j.core.sampling.Prompt;
import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.preference.OnlinePairs;
import dev.r1j.preference.PairBuilder;
import dev.r1j.preference.PreferenceDataset;
import dev.r1j.preference.PreferencePair;
import dev.r1j.preference.PreferenceStepMetrics;
import dev.r1j.preference.PreferenceTrainer;
import dev.r1j.recipes.report.Progress;
import dev.r1j.recipes.stage.Stage;
import dev.r1j.recipes.stage.StageContext;
import dev.r1j.recipes.stage.VerifierSpec;
import dev.r1j.recipes.stages.RunPaths;
import dev.r1j.recipes.stages.StartModel;
import dev.r1j.recipes.stages.TunedModel;
import dev.r1j.core.sampling.Sampler;
import dev.r1j.recipes.stages.StageSampler;
import dev.r1j.rollout.LocalSampler;
import dev.r1j.rollout.PromptBudget;
import dev.r1j.verifiers.Verifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Preference tuning with the preference library's {@link PreferenceTrainer}. The pairs come from the {@code pairs}
 * JSONL, or are built by sampling {@code samples_per_prompt} completions per prompt of {@code dataset} from the start
 * model, scoring them with the verifiers and pairing a verified completion with a failed one ({@link OnlinePairs});
 * sampled pairs are written to {@code pairs.jsonl} in the stage directory (a resumed run reads them back, so it
 * trains on the same pairs). The reference for DPO/IPO is the start model's weights, its log-probs computed once. A
 * resumable rl-core {@link TrainingCheckpoint} is kept in {@code checkpoint/}; the trained model ({@code final/}) is
 * the next stage's input. Metrics per step: {@code loss, reward_margin, chosen_reward, rejected_reward, accuracy, lr,
 * grad_norm, pairs, epoch, elapsed_s}; pair building logs one line at step 0.
 */
public final class DpoStage implements Stage {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DpoOptions options;

    DpoStage(DpoOptions options) {
        this.options = options;
    }

    @Override
    public void run(StageContext ctx) {
        Path start = StartModel.resolve(options.model(), ctx);
        options.engine().apply();
        long seed = options.seed();
        Path ckpt = ctx.stageDir().resolve("checkpoint");
        Path pairsFile = ctx.stageDir().resolve("pairs.jsonl");
        if (ctx.resuming()) TrainingCheckpoint.recover(ckpt).forEach(ctx.out()::println);
        boolean resume = ctx.resuming() && TrainingCheckpoint.exists(ckpt);
        Path finalDir = ctx.stageDir().resolve("final");

        Path output;
        try (TunedModel lm = TunedModel.open(options.tuning(), options.engine().resolveDevice(), start,
                resume ? ckpt : null, seed)) {
            List<PreferencePair> pairs;
            if (options.pairs() != null) {
                Path file = RunPaths.resolve(options.pairs(), ctx);
                if (!Files.isRegularFile(file)) throw new IllegalArgumentException("pairs: no such file " + file.toAbsolutePath());
                pairs = PreferenceDataset.read(file);
            } else if (resume && Files.isRegularFile(pairsFile)) {
                pairs = PreferenceDataset.read(pairsFile);
            } else {
                pairs = samplePairs(ctx, start, lm, seed);
                write(pairs, pairsFile);
            }
            if (pairs.isEmpty()) {
                throw new IllegalArgumentException("no preference pairs: every sampled group was all right or all "
                        + "wrong (more samples_per_prompt, a higher temperature or another threshold may help)");
            }
            try (PreferenceTrainer trainer = new PreferenceTrainer(lm.model(), lm.loraReference(), options.preference(),
                    pairs, lm.tokenizer())) {
                if (resume) {
                    trainer.resumeFrom(ckpt);
                    ctx.out().println("resuming " + ctx.stageId() + " from " + ckpt + " (step " + trainer.stepsDone() + ")");
                }
                ctx.metrics().truncateAfter(trainer.stepsDone());
                ctx.out().printf("%d pairs (%d dropped: no completion token within max_length), %s, %d steps%n",
                        trainer.pairs(), trainer.droppedPairs(), options.preference().lossType().wireName(), trainer.totalSteps());
                try (Progress bar = ctx.progress().start(ctx.stageId(), trainer.totalSteps(), trainer.stepsDone())) {
                    trainer.train(m -> {
                        ctx.metrics().log(m.step(), row(m));
                        bar.step();
                        bar.extra(String.format("loss %.3f margin %.3f acc %.2f", m.loss(), m.rewardMargin(), m.accuracy()));
                    }, ckpt);
                }
            }
            output = lm.saveFinal(finalDir, null);
        }
        ctx.out().println("saved the preference-tuned model to " + output);
        ctx.setOutputModel(output);
    }

    private List<PreferencePair> samplePairs(StageContext ctx, Path modelDir, TunedModel lm, long seed) {
        Verifier reward = VerifierSpec.build(options.verifiers());
        List<Prompt> prompts = options.dataset().prompts(ctx, "dataset", lm.tokenizer(),
                PromptBudget.of(new LocalSampler(lm.model(), lm.tokenizer()), options.maxNewTokens()));
        SamplingParams params = new SamplingParams(options.samplesPerPrompt(), options.maxNewTokens(),
                options.temperature(), options.topP(), 0, options.stop(), seed);
        PairBuilder builder = new PairBuilder(options.threshold(), options.maxPairsPerPrompt(), seed);
        OnlinePairs.Result sampled;
        try (Sampler sampler = StageSampler.open(options.rollout(), modelDir, lm.model(), lm.tokenizer(), ctx.stageDir(),
                ctx.out(), null);
             Progress bar = ctx.progress().start(ctx.stageId() + " sampling", prompts.size())) {
            sampled = new OnlinePairs(sampler, reward, builder).build(prompts, params, options.promptsPerBatch(),
                    bar::stepTo);
        }
        PairBuilder.Result r = sampled.pairs();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pairs_built", r.pairs().size());
        m.put("prompts", r.prompts());
        m.put("prompts_with_pairs", r.promptsWithPairs());
        m.put("all_accepted", r.allAccepted());
        m.put("all_rejected", r.allRejected());
        m.put("sample_reward_mean", sampled.sampleRewardMean());
        ctx.metrics().log(0, m);
        ctx.out().printf("%s: %d pairs from %d prompts (%d all right, %d all wrong)%n", ctx.stageId(),
                r.pairs().size(), r.prompts(), r.allAccepted(), r.allRejected());
        return r.pairs();
    }

    static Map<String, Object> row(PreferenceStepMetrics m) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("loss", m.loss());
        row.put("reward_margin", m.rewardMargin());
        row.put("chosen_reward", m.chosenReward());
        row.put("rejected_reward", m.rejectedReward());
        row.put("accuracy", m.accuracy());
        row.put("lr", m.lr());
        row.put("grad_norm", m.gradNorm());
        row.put("pairs", m.pairs());
        row.put("epoch", m.epoch());
        row.put("elapsed_s", m.elapsedS());
        return row;
    }

    /**
     * Sampled pairs (plain prompts) as {@code prompt, chosen, rejected} lines. Not atomic, and need not be: a resume
     * reads the file only when a checkpoint exists, and the first checkpoint is written after this file.
     */
    static void write(List<PreferencePair> pairs, Path file) {
        List<String> lines = new ArrayList<>(pairs.size());
        try {
            for (PreferencePair p : pairs) {
                ObjectNode o = JSON.createObjectNode();
                o.put("prompt", p.prompt());
                o.put("chosen", p.chosen());
                o.put("rejected", p.rejected());
                lines.add(JSON.writeValueAsString(o));
            }
            Files.write(file, lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}

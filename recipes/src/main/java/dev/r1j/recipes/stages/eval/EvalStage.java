package dev.r1j.recipes.stages.eval;

import dev.r1j.recipes.stages.StageSampler;
import dev.r1j.core.eval.EvalReport;
import dev.r1j.recipes.stage.Stage;
import dev.r1j.recipes.stage.StageContext;
import dev.r1j.rollout.PromptBudget;
import dev.r1j.recipes.stage.VerifierSpec;
import dev.r1j.recipes.stages.StartModel;
import dev.r1j.verifiers.Verifier;
import dev.r1j.verifiers.eval.EvaluationVerifiers;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Evaluates the input model on a held-out JSONL set and records accuracy, mean reward, mean completion length and
 * the truncated share, pass@1, and with {@code samples: k > 1} pass@k and maj@k, each with a 95% interval, under a
 * label ({@link StageContext#recordResult}); writes {@code eval.json} (every figure, pass@k for k = 1, 2, 4, … and
 * the completions) in the stage directory with {@link ModelEvaluation}, as {@code recipe eval} does. The model passes
 * through unchanged.
 */
public final class EvalStage implements Stage {
    private final EvalOptions options;

    EvalStage(EvalOptions options) {
        this.options = options;
    }

    @Override
    public void run(StageContext ctx) {
        Path modelDir = StartModel.resolve(options.model(), ctx);
        options.engine().apply();
        Verifier reward = VerifierSpec.build(options.verifiers());
        // accuracy is judged as evaluation graders do (math: lenient extraction unless its options say otherwise)
        Verifier exact = EvaluationVerifiers.create(options.exactMatch().name(), options.exactMatch().options());
        long seed = options.seed();
        String label = options.label() != null ? options.label() : ctx.stageId();
        EvalReport report = ModelEvaluation.evaluate(modelDir, options.engine().resolveDevice(),
                sampler -> options.dataset().prompts(ctx, "dataset", sampler.tokenizer(),
                        PromptBudget.of(sampler, options.maxNewTokens())),
                exact, reward, options.samplingParams(seed), options.environment(), options.batchSize(), ctx.progress(),
                ctx.stageId() + " " + label, !options.rollout().remote() ? null
                        : (lm, tools) -> StageSampler.open(options.rollout(), modelDir, lm.model(), lm.tokenizer(),
                                ctx.stageDir(), ctx.out(), tools));
        ctx.recordResult(label, report.summary());
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("label", label);
        header.put("model", modelDir.toString());
        header.put("dataset", options.dataset().path());
        header.put("temperature", options.temperature());
        ModelEvaluation.writeJson(ctx.stageDir().resolve("eval.json"), header, report);
        ctx.out().printf("%s: accuracy %.3f, mean reward %.3f, mean completion length %.1f tokens (%d problems x %d)%n",
                label, report.accuracy(), report.rewardMean(), report.completionLenMean(), report.problems(),
                report.samplesPerProblem());
        if (report.samplesPerProblem() > 1) {
            int k = report.samplesPerProblem();
            ctx.out().printf("%s: pass@1 %.3f, pass@%d %.3f, maj@%d %.3f%n", label, report.benchmark().pass1().value(),
                    k, report.benchmark().passAtK().get(k).value(), k, report.benchmark().majAtK().get(k).value());
        }
    }
}

package dev.r1j.recipes.stages.eval;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.r1j.core.Djl;
import dev.r1j.core.grpo.GrpoPrompt;
import dev.r1j.core.io.Checkpoint;
import dev.r1j.core.io.LoadedModel;
import dev.r1j.recipes.report.Progress;
import dev.r1j.recipes.run.Json;
import dev.r1j.recipes.stage.Stage;
import dev.r1j.recipes.stage.StageContext;
import dev.r1j.recipes.stage.VerifierSpec;
import dev.r1j.recipes.stages.EngineThreads;
import dev.r1j.recipes.stages.InputModel;
import dev.r1j.rollout.LocalSampler;
import dev.r1j.verifiers.Verifier;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Evaluates the input model on a held-out JSONL set and records accuracy, mean reward, mean completion length and
 * the truncated share under a label ({@link StageContext#recordResult}); writes {@code eval.json} (summary and every
 * completion) in the stage directory. The model passes through unchanged.
 */
public final class EvalStage implements Stage {
    /** Completions kept in eval.json (all of them for the toy sets; bounded for large ones). */
    static final int MAX_SAMPLES_IN_FILE = 2000;

    private final EvalOptions options;

    EvalStage(EvalOptions options) {
        this.options = options;
    }

    @Override
    public void run(StageContext ctx) {
        Path modelDir = InputModel.require(ctx);
        EngineThreads.apply(options.numThreads());
        List<VerifierSpec> rewardSpecs = options.verifiers();
        Verifier reward = VerifierSpec.build(rewardSpecs);
        Verifier exact = VerifierSpec.build(List.of(options.exactMatch()));
        long seed = options.seed() != null ? options.seed() : ctx.seed();
        String label = options.label() != null ? options.label() : ctx.stageId();
        EvalReport report;
        try (NDManager manager = Djl.newManager(); LoadedModel lm = Checkpoint.load(modelDir, manager)) {
            List<GrpoPrompt> prompts = options.dataset().prompts(ctx, "dataset", lm.tokenizer());
            LocalSampler sampler = new LocalSampler(lm.model(), lm.tokenizer());
            try (Progress p = ctx.progress().start(ctx.stageId() + " " + label, prompts.size())) {
                report = new Evaluation(sampler, exact, reward).run(prompts, options.samplingParams(seed),
                        options.batchSize(), p::stepTo);
            }
        }
        ctx.recordResult(label, report.summary());
        write(ctx.stageDir().resolve("eval.json"), label, modelDir, report);
        ctx.out().printf("%s: accuracy %.3f, mean reward %.3f, mean completion length %.1f tokens (%d problems x %d)%n",
                label, report.accuracy(), report.rewardMean(), report.completionLenMean(), report.problems(),
                report.samplesPerProblem());
    }

    private void write(Path file, String label, Path modelDir, EvalReport r) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("label", label);
        root.put("model", modelDir.toString());
        root.put("dataset", options.dataset().path());
        root.put("problems", r.problems());
        root.put("samples_per_problem", r.samplesPerProblem());
        root.put("temperature", options.temperature());
        for (Map.Entry<String, Double> e : r.summary().entrySet()) root.put(e.getKey(), e.getValue());
        ArrayNode rows = root.putArray("completions");
        for (EvalReport.ScoredSample s : r.samples().subList(0, Math.min(MAX_SAMPLES_IN_FILE, r.samples().size()))) {
            ObjectNode o = rows.addObject();
            o.put("prompt", s.prompt());
            o.set("answer", Json.MAPPER.valueToTree(s.answer()));
            o.put("completion", s.completion());
            o.put("correct", s.correct());
            o.put("reward", s.reward());
            o.put("tokens", s.tokens());
            o.put("truncated", s.truncated());
        }
        Json.writeAtomically(file, root);
    }
}

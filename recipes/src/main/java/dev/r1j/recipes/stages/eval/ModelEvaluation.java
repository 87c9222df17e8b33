package dev.r1j.recipes.stages.eval;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.r1j.core.Djl;
import dev.r1j.core.eval.EvalReport;
import dev.r1j.core.eval.Evaluation;
import dev.r1j.core.io.Checkpoint;
import dev.r1j.core.io.LoadedModel;
import dev.r1j.core.sampling.Prompt;
import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.recipes.report.Progress;
import dev.r1j.recipes.report.ProgressFactory;
import dev.r1j.recipes.report.ResultsTable;
import dev.r1j.recipes.run.Json;
import dev.r1j.env.EnvironmentConfig;
import dev.r1j.env.ToolRunner;
import dev.r1j.rollout.LocalSampler;
import dev.r1j.core.sampling.Sampler;
import dev.r1j.rollout.PromptBudget;
import dev.r1j.verifiers.Verifier;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Evaluating a saved checkpoint end to end — load it, sample with a {@link LocalSampler}, score with
 * {@link Evaluation} — and writing {@code eval.json}: the one implementation behind the {@code eval} stage and the
 * {@code recipe eval} command.
 *
 * <pre>{@code
 * EvalReport r = ModelEvaluation.evaluate(modelDir, sampler -> prompts, math, math, params, 64, progress, "eval");
 * ModelEvaluation.writeJson(dir.resolve("eval.json"), Map.of("label", "base"), r);
 * }</pre>
 */
public final class ModelEvaluation {
    /** Completions kept in eval.json (all of them for the toy sets; bounded for large ones). */
    static final int MAX_SAMPLES_IN_FILE = 2000;

    private ModelEvaluation() {}

    /**
     * @param prompts the problems, given the sampler of the checkpoint (its tokenizer renders chat templates, its
     *                {@link PromptBudget} checks lengths)
     * @param exact   decides correctness (reward >= 1) and extracts the answers maj@k votes over
     * @param reward  the reward whose mean is reported
     */
    public static EvalReport evaluate(Path modelDir, Function<LocalSampler, List<Prompt>> prompts, Verifier exact,
            Verifier reward, SamplingParams params, int batchSize, ProgressFactory progress, String task) {
        return evaluate(modelDir, Device.cpu(), prompts, exact, reward, params, null, batchSize, progress, task, null);
    }

    /**
     * As above on {@code device}, with multi-turn tool use when {@code environment} is not null (the same loop as in
     * training), sampling with the sampler {@code samplerFor} opens on the loaded model and the environment's tool
     * runner (null when single-turn; the sampler closes after; {@code samplerFor} null: the local one). The prompts
     * are checked against the model (given as a {@link LocalSampler}) before it opens.
     */
    public static EvalReport evaluate(Path modelDir, Device device, Function<LocalSampler, List<Prompt>> prompts,
            Verifier exact, Verifier reward, SamplingParams params, EnvironmentConfig environment, int batchSize,
            ProgressFactory progress, String task, BiFunction<LoadedModel, ToolRunner, Sampler> samplerFor) {
        try (NDManager manager = Djl.newManager(device); LoadedModel lm = Checkpoint.load(modelDir, manager);
                ToolRunner tools = environment == null ? null : ToolRunner.create(environment)) {
            LocalSampler local = new LocalSampler(lm.model(), lm.tokenizer()).withTools(tools);
            List<Prompt> ps = prompts.apply(local);
            try (Sampler sampler = samplerFor == null ? local : samplerFor.apply(lm, tools);
                 Progress p = progress.start(task, ps.size())) {
                return new Evaluation(sampler, exact, reward).run(ps, params, batchSize, p::stepTo);
            }
        }
    }

    /** Writes {@code header} (label, model, dataset, …), the report's figures and up to 2000 completions. */
    public static void writeJson(Path file, Map<String, Object> header, EvalReport r) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        header.forEach((k, v) -> root.set(k, Json.MAPPER.valueToTree(v)));
        r.toJson().forEach((k, v) -> root.set(k, Json.MAPPER.valueToTree(v)));
        ArrayNode rows = root.putArray("completions");
        for (EvalReport.ScoredSample s : r.samples().subList(0, Math.min(MAX_SAMPLES_IN_FILE, r.samples().size()))) {
            ObjectNode o = rows.addObject();
            o.put("prompt", s.prompt());
            o.set("answer", Json.MAPPER.valueToTree(s.answer()));
            o.put("completion", s.completion());
            o.put("extracted", s.extracted());
            o.put("correct", s.correct());
            o.put("reward", s.reward());
            o.put("tokens", s.tokens());
            o.put("truncated", s.truncated());
        }
        Json.writeAtomically(file, root);
    }

    /** The summary as a results table under {@code label} (metrics as rows). */
    public static String table(String label, EvalReport r) {
        return ResultsTable.compare(Map.of(label, r.summary())).render();
    }
}

package dev.r1j.recipes.cli;

import dev.r1j.core.EngineThreads;
import dev.r1j.core.data.PromptDataset;
import dev.r1j.core.data.PromptExample;
import dev.r1j.core.eval.EvalReport;
import dev.r1j.core.sampling.Prompt;
import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.core.tokenizer.Tokenizer;
import dev.r1j.options.DidYouMean;
import dev.r1j.recipes.stages.eval.ModelEvaluation;
import dev.r1j.verifiers.Verifier;
import dev.r1j.verifiers.eval.EvaluationVerifiers;
import dev.r1j.verifiers.eval.EvalDatasets;
import dev.r1j.verifiers.eval.EvalProblem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code recipe eval --model DIR --dataset FILE_OR_NAME [--verifier NAME] [-k N] [--temperature T] [--top-k K]
 * [--max-new-tokens N] [--limit N] [--output eval.json]}: the {@code eval} stage's evaluation
 * ({@link ModelEvaluation}) on a saved checkpoint, outside a recipe. A dataset is a bundled benchmark name
 * ({@link EvalDatasets}: {@code gsm8k_test}, {@code math500_test}, {@code humaneval}, {@code mbpp}, read from
 * {@code --benchmarks DIR}), a file of one of those (recognised by its file name), or any JSONL with {@code prompt}
 * and reference fields ({@code answer}, …).
 */
@Command(name = "eval", description = {
        "Evaluates a saved model on a benchmark: pass@1, pass@k (unbiased) and maj@k with 95%% intervals.",
        "Samples k completions per problem (greedy by default when k = 1), scores them with the "
                + "verifier, prints a table and writes eval.json (every figure and the completions)."})
final class EvalCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOption model;

    @Option(names = "--dataset", required = true, paramLabel = "FILE_OR_NAME",
            description = "gsm8k_test, gsm8k_train, math500_test, humaneval, mbpp, or a JSONL file.")
    String dataset;

    @Option(names = "--benchmarks", paramLabel = "DIR", description = "Where bundled benchmark files are (default: ${DEFAULT-VALUE}).")
    Path benchmarks = Path.of("data", "benchmarks");

    @Option(names = "--verifier", paramLabel = "NAME", description = "Decides correctness (reward >= 1); here math "
            + "extracts answers leniently unless --option extraction=strict (default: ${DEFAULT-VALUE}).")
    String verifier = "math";

    @Mixin
    VerifierOptionFlag options;

    @Option(names = "-k", paramLabel = "N", description = "Completions per problem; with k = 1 and no --temperature, "
            + "decoding is greedy (default: ${DEFAULT-VALUE}).")
    int k = 1;

    @Mixin
    SamplingFlags sampling = new SamplingFlags(SamplingFlags.Defaults.EVAL);

    @Option(names = "--limit", paramLabel = "N", description = "Only the first N problems (default: all).")
    int limit = 0;

    @Option(names = "--chat-template", description = "Wrap each prompt as a user message in the model's chat template.")
    boolean chatTemplate;

    @Option(names = "--threads", paramLabel = "N", description = "PyTorch intra-op threads, 0 = the engine's default.")
    int threads = 0;

    @Option(names = "--output", paramLabel = "FILE", description = "Where to write the report (default: ${DEFAULT-VALUE}).")
    Path output = Path.of("eval.json");

    @Override
    public Integer call() {
        if (k < 1) throw usage("-k must be >= 1, got " + k);
        if (limit < 0) throw usage("--limit must be >= 0 (0 = all), got " + limit);
        sampling.validate();
        ai.djl.Device onDevice = model.device();
        SamplingParams params = sampling.params(k);
        if (params.temperature() == 0 && k > 1) {
            throw new CliException("-k " + k + " with temperature 0 would repeat the greedy completion; give "
                    + "--temperature > 0 or -k 1");
        }
        Path dir = model.dir();
        if (!Files.isDirectory(dir)) throw new CliException("--model: no such checkpoint directory " + dir);
        // math extracts leniently here (the last environment or number counts) unless --option extraction=strict
        Verifier v = EvaluationVerifiers.create(verifier, options.values());
        List<Prompt> problems = problems(dataset, benchmarks, limit);
        EngineThreads.apply(threads);
        EvalReport r = ModelEvaluation.evaluate(dir, onDevice,
                sampler -> chatTemplate ? withChat(problems, sampler.tokenizer()) : problems, v, v,
                params, null, sampling.batchSize(), main.progress(), "eval " + dataset, null);
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("model", dir.toString());
        header.put("dataset", dataset);
        header.put("verifier", verifier);
        header.put("temperature", params.temperature());
        header.put("top_p", params.topP());
        header.put("top_k", params.topK());
        header.put("max_new_tokens", params.maxNewTokens());
        header.put("seed", params.seed());
        ModelEvaluation.writeJson(output, header, r);
        main.out().print(ModelEvaluation.table(dataset, r));
        main.out().println("wrote " + output);
        main.out().flush();
        return 0;
    }

    /**
     * The problems of {@code dataset}: a bundled name, a file named like a bundled one (read with its adapter), or a
     * JSONL file of prompts with reference fields; the first {@code limit} (0 = all).
     */
    static List<Prompt> problems(String dataset, Path benchmarks, int limit) {
        List<Prompt> out = new ArrayList<>();
        if (EvalDatasets.names().contains(dataset)) {
            for (EvalProblem p : EvalDatasets.loadBundled(dataset, benchmarks)) out.add(new Prompt(p.prompt(), p.reference()));
        } else {
            Path file = Path.of(dataset);
            if (!Files.isRegularFile(file)) {
                throw new CliException("--dataset: '" + dataset + "' is neither a benchmark name"
                        + DidYouMean.hint(dataset, EvalDatasets.names()) + " (" + String.join(", ", EvalDatasets.names())
                        + ") nor a file");
            }
            String bundled = EvalDatasets.names().stream()
                    .filter(n -> EvalDatasets.fileName(n).equals(file.getFileName().toString())).findFirst().orElse(null);
            if (bundled != null) {
                for (EvalProblem p : EvalDatasets.load(bundled, file)) out.add(new Prompt(p.prompt(), p.reference()));
            } else {
                for (PromptExample e : PromptDataset.load(file).examples()) {
                    if (e.prompt() == null) {
                        throw new CliException("--dataset: " + file + " (" + e.source() + ") has no 'prompt'");
                    }
                    out.add(new Prompt(e.prompt(), e.reference()));
                }
            }
        }
        if (out.isEmpty()) throw new CliException("--dataset: " + dataset + " has no problems");
        return limit > 0 && limit < out.size() ? List.copyOf(out.subList(0, limit)) : out;
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    private static List<Prompt> withChat(List<Prompt> problems, Tokenizer tok) {
        return problems.stream().map(p -> new Prompt(
                tok.applyChatTemplate(List.of(Map.of("role", "user", "content", p.prompt())), true), p.reference())).toList();
    }
}

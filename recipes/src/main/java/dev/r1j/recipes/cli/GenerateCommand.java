package dev.r1j.recipes.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.r1j.core.sampling.CompletionGroup;
import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.rollout.DecodeStats;
import dev.r1j.rollout.GenerationJsonl;
import dev.r1j.rollout.LocalSampler;
import dev.r1j.rollout.RemoteSampler;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
 * {@code recipe generate --model DIR (--prompt TEXT... | --input prompts.jsonl) [-n N] [--output out.jsonl]}:
 * samples completions with {@link LocalSampler} (batched, KV-cached) and writes one JSON line per prompt
 * ({@link GenerationJsonl}): the prompt, its token ids, the input line's other fields, and {@code completions}
 * with {@code text}, {@code token_ids}, behaviour {@code logprobs} (raw model log-probs, before temperature) and
 * {@code finish_reason} ({@code eos}, {@code stop} or {@code length}).
 *
 * <p>Prompts are sampled {@code --batch-size} at a time; each batch gets its own seed derived from {@code --seed}
 * and its position, so the same seed and batch size give the same output, and no two prompts share a random stream.
 */
@Command(name = "generate", description = {
        "Samples completions from a model and prints one JSON line per prompt with the completions' text, token ids, "
                + "behaviour log-probs and finish reason.",
        "Prompts come from --prompt (repeatable) or --input (JSONL with 'prompt' or 'messages'; other fields are "
                + "carried to the output)."})
final class GenerateCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOption model;

    @Option(names = "--prompt", paramLabel = "TEXT", description = "A prompt; repeatable.")
    List<String> prompts = new ArrayList<>();

    @Option(names = "--chat", description = "Render each --prompt as a user message with the model's chat template.")
    boolean chat;

    @Option(names = "--input", paramLabel = "FILE",
            description = "JSONL prompts: each line has 'prompt' (a string) or 'messages' ([{role, content}]).")
    Path input;

    @Option(names = "--output", paramLabel = "FILE", description = "Where the JSON lines go (default: standard output).")
    String output = "-";

    @Option(names = {"-n", "--num-samples"}, paramLabel = "N", description = "Completions per prompt (default: ${DEFAULT-VALUE}).")
    int n = 1;

    @Mixin
    SamplingFlags sampling = new SamplingFlags(SamplingFlags.Defaults.GENERATE);

    @Override
    public Integer call() throws IOException {
        validate();
        try (OpenedModel m = model.open()) {
            LocalSampler sampler = new LocalSampler(m.model(), m.tokenizer());
            List<GenerationJsonl.PromptRow> rows = input != null
                    ? GenerationJsonl.readPrompts(input, m.tokenizer())
                    : promptRows(m);
            long tokens = 0;
            long nanos = 0;
            try (PrintWriter out = writer()) {
                int batchSize = sampling.batchSize();
                for (int start = 0; start < rows.size(); start += batchSize) {
                    List<GenerationJsonl.PromptRow> batch = rows.subList(start, Math.min(rows.size(), start + batchSize));
                    List<String> texts = batch.stream().map(GenerationJsonl.PromptRow::prompt).toList();
                    SamplingParams params = sampling.params(n,
                            start == 0 ? sampling.seed() : RemoteSampler.promptSeed(sampling.seed(), start));
                    List<CompletionGroup> groups = sampler.sample(texts, params);
                    for (int i = 0; i < groups.size(); i++) {
                        out.println(GenerationJsonl.toJsonLine(groups.get(i), batch.get(i).extra()));
                    }
                    out.flush();
                    DecodeStats s = sampler.lastStats();
                    tokens += s.generatedTokens();
                    nanos += s.totalNanos();
                }
            }
            main.err().println(String.format(Locale.ROOT, "generated %d completion(s) for %d prompt(s): %d tokens in "
                    + "%.2f s (%.0f tokens/s)", (long) rows.size() * n, rows.size(), tokens, nanos / 1e9,
                    nanos == 0 ? 0.0 : tokens / (nanos / 1e9)));
            main.err().flush();
        }
        return 0;
    }

    private List<GenerationJsonl.PromptRow> promptRows(OpenedModel m) {
        List<GenerationJsonl.PromptRow> rows = new ArrayList<>();
        for (String p : prompts) {
            String text = chat ? m.tokenizer().applyChatTemplate(List.of(Map.of("role", "user", "content", p)), true) : p;
            rows.add(new GenerationJsonl.PromptRow(text, Map.<String, JsonNode>of()));
        }
        return rows;
    }

    /** Flag checks before the model is loaded, each naming the flag (usage errors, exit code 2). */
    private void validate() {
        if (prompts.isEmpty() == (input == null)) {
            throw usage("give either --prompt (one or more) or --input, not " + (input == null ? "neither" : "both"));
        }
        if (input != null && !Files.isRegularFile(input)) {
            throw new CliException("input file not found: " + input.toAbsolutePath().normalize());
        }
        if (chat && input != null) throw usage("--chat applies to --prompt; in --input use 'messages' lines");
        if (n < 1) throw usage("-n must be at least 1, got " + n);
        sampling.validate();
        if (input != null && !"-".equals(output) && Path.of(output).toAbsolutePath().normalize()
                .equals(input.toAbsolutePath().normalize())) {
            throw usage("--output must differ from --input (" + input + ")");
        }
    }

    private PrintWriter writer() throws IOException {
        if ("-".equals(output)) {
            PrintWriter out = main.out();
            return new PrintWriter(out) {
                @Override
                public void close() {
                    flush(); // leave the command line's output open
                }
            };
        }
        Path p = Path.of(output).toAbsolutePath();
        Files.createDirectories(p.getParent());
        Writer w = new BufferedWriter(Files.newBufferedWriter(p, StandardCharsets.UTF_8));
        return new PrintWriter(w);
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}

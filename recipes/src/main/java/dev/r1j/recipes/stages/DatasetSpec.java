package dev.r1j.recipes.stages;

import dev.r1j.core.data.PromptDataset;
import dev.r1j.core.data.PromptExample;
import dev.r1j.core.sampling.Prompt;
import dev.r1j.core.tokenizer.Tokenizer;
import dev.r1j.options.Default;
import dev.r1j.options.Help;
import dev.r1j.recipes.stage.StageContext;
import dev.r1j.rollout.PromptBudget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A JSONL prompt dataset named in stage options, read with rl-core's {@link PromptDataset} (field mapping, GSM8K
 * answers, prompt template). A bare path is enough: {@code dataset: ${run_dir}/data/arith-test.jsonl}; GSM8K is
 * {@code {path: data/benchmarks/gsm8k_test.jsonl, prompt_field: question, answer_format: gsm8k}}.
 *
 * <pre>{@code
 * List<Prompt> prompts = options.dataset().prompts(ctx, "dataset", sampler.tokenizer(), PromptBudget.of(sampler, 64));
 * }</pre>
 */
public record DatasetSpec(
        @Help("JSONL file, one object per line; may start with ${run_dir}") String path,
        @Help("field holding the prompt text") @Default("prompt") String promptField,
        @Help("field holding chat messages, used when the prompt field is absent") @Default("messages") String messagesField,
        @Help("field holding the reference answer (handed to verifiers as 'answer')") @Default("answer") String answerField,
        @Help("plain (as is) | gsm8k (the number after '####')") @Default("plain") PromptDataset.AnswerFormat answerFormat,
        @Help("prompt template with {prompt} (and {field} for other fields); null: the prompt as is") @Default("null")
                String template,
        @Help("wrap each prompt as a user message in the tokenizer's chat template (for instruction-tuned models)")
                @Default("false") boolean chatTemplate,
        @Help("reference fields every row must have, e.g. [tests] for code") @Default("[answer]") List<String> required,
        @Help("use only the first N rows, 0 = all") @Default("0") int limit) {

    public DatasetSpec {
        if (path == null || path.isBlank()) throw new IllegalArgumentException("path: a JSONL file is required");
        required = required == null ? List.of() : List.copyOf(required);
        if (limit < 0) throw new IllegalArgumentException("limit must be >= 0 (0 = all rows), got " + limit);
        if (template != null && !template.contains("{")) {
            throw new IllegalArgumentException("template must contain {prompt}, got '" + template + "'");
        }
    }

    /** The file, with {@code ${run_dir}} resolved; a missing file is an error naming the option. */
    public Path file(StageContext ctx, String option) {
        Path f = RunPaths.resolve(path, ctx);
        if (Files.isDirectory(f)) {
            throw new IllegalArgumentException(option + ".path: " + f.toAbsolutePath() + " is a directory; expected a "
                    + "JSONL file (one JSON object per line)");
        }
        if (!Files.isRegularFile(f)) {
            throw new IllegalArgumentException(option + ".path: no such file " + f.toAbsolutePath());
        }
        return f;
    }

    /** The rows (at most {@link #limit}), each with the {@link #required} reference fields. */
    public List<PromptExample> load(StageContext ctx, String option) {
        PromptDataset ds = PromptDataset.load(file(ctx, option), PromptDataset.Options.defaults()
                .withPromptField(promptField).withMessagesField(messagesField).withAnswerField(answerField)
                .withAnswerFormat(answerFormat).withTemplate(template).withRequired(required));
        List<PromptExample> rows = ds.examples();
        if (rows.isEmpty()) throw new IllegalArgumentException(option + ".path: " + ds.file() + " has no rows");
        return limit > 0 && limit < rows.size() ? rows.subList(0, limit) : rows;
    }

    /**
     * The rows as prompt texts for the model (chat messages rendered with the tokenizer's template), each checked
     * against {@code budget}: a row too long for the model's context is an error naming its file and line.
     */
    public List<Prompt> prompts(StageContext ctx, String option, Tokenizer tokenizer, PromptBudget budget) {
        List<Prompt> out = new ArrayList<>();
        for (PromptExample e : load(ctx, option)) {
            String text;
            if (e.messages() != null) {
                text = tokenizer.applyChatTemplate(e.messages(), true);
            } else if (chatTemplate) {
                text = tokenizer.applyChatTemplate(List.of(Map.of("role", "user", "content", e.prompt())), true);
            } else {
                text = e.prompt();
            }
            budget.require(text, option + ": " + e.source());
            out.add(new Prompt(text, e.reference()));
        }
        return out;
    }
}

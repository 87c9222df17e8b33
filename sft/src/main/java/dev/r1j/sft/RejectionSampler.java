package dev.r1j.sft;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.r1j.core.data.PromptExample;
import dev.r1j.core.sampling.Completion;
import dev.r1j.core.sampling.FinishReason;
import dev.r1j.core.sampling.Prompt;
import dev.r1j.core.sampling.SampleAndScore;
import dev.r1j.core.sampling.Sampler;
import dev.r1j.core.tokenizer.Tokenizer;
import dev.r1j.verifiers.Verifier;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Rejection sampling, the R1 recipe's way to turn an RL-trained model into SFT data: sample N completions per
 * prompt with any {@link Sampler} and score them ({@link SampleAndScore}), keep those the verifier accepts (reward {@code >= threshold}) that also pass the
 * format check and were not truncated, drop exact duplicates, keep at most {@code max_per_prompt} per prompt (in
 * sampling order), and write them as an SFT dataset ({@code prompt}, {@code completion}, {@code reward} per line).
 *
 * <pre>{@code
 * RejectionSampler rs = new RejectionSampler(sampler, mathVerifier, formatVerifier, null, RejectionOptions.defaults());
 * RejectionSampler.Report r = rs.run(prompts, Path.of("runs/x/rs.jsonl"));
 * System.out.printf("kept %d of %d samples, acceptance %.2f%n", r.kept(), r.samples(), r.acceptanceRate());
 * }</pre>
 */
public final class RejectionSampler {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Sampler sampler;
    private final Verifier verifier;
    private final Verifier format;
    private final Tokenizer chatTokenizer;
    private final RejectionOptions options;
    private final List<Verifier> verifiers;

    /**
     * What happened.
     *
     * @param prompts          prompts sampled
     * @param samples          completions sampled
     * @param verified         completions whose reward reached the threshold
     * @param accepted         completions that also passed the format check and were not truncated
     * @param kept             rows written (accepted, distinct, within the per-prompt cap)
     * @param promptsWithKept  prompts that got at least one row
     */
    public record Report(int prompts, int samples, int verified, int accepted, int kept, int promptsWithKept) {
        /** Share of sampled completions that were accepted (before deduplication and the cap). */
        public double acceptanceRate() {
            return samples == 0 ? 0 : (double) accepted / samples;
        }
    }

    /** One kept completion. */
    public record Row(String prompt, String completion, double reward) {}

    /**
     * @param format        a format verifier (a pass is reward {@code >= 1}), or null for none
     * @param chatTokenizer renders rows that have {@code messages} into a prompt (with the generation prompt); may be
     *                      null when every row has a text prompt
     */
    public RejectionSampler(Sampler sampler, Verifier verifier, Verifier format, Tokenizer chatTokenizer,
            RejectionOptions options) {
        if (sampler == null || verifier == null || options == null) {
            throw new IllegalArgumentException("sampler, verifier and options must be given");
        }
        this.sampler = sampler;
        this.verifier = verifier;
        this.format = format;
        this.chatTokenizer = chatTokenizer;
        this.options = options;
        this.verifiers = format == null ? List.of(verifier) : List.of(verifier, format);
    }

    /** Samples, filters and writes {@code output} (replaced whole, via a temporary file). */
    public Report run(List<PromptExample> prompts, Path output) {
        List<Row> rows = new ArrayList<>();
        Report report = collect(prompts, rows);
        write(rows, output);
        return report;
    }

    /** Samples and filters, adding the kept rows to {@code out}. */
    public Report collect(List<PromptExample> prompts, List<Row> out) {
        int samples = 0, verified = 0, accepted = 0, kept = 0, withKept = 0;
        int size = options.promptsPerBatch();
        for (int start = 0, batch = 0; start < prompts.size(); start += size, batch++) {
            List<PromptExample> part = prompts.subList(start, Math.min(prompts.size(), start + size));
            List<Prompt> texts = part.stream().map(p -> new Prompt(promptText(p), p.reference())).toList();
            List<SampleAndScore.Group> groups = SampleAndScore.run(sampler, texts, options.params(batch), verifiers);
            for (SampleAndScore.Group g : groups) {
                String text = g.prompt().prompt();
                Set<String> distinct = new LinkedHashSet<>();
                int keptHere = 0;
                for (SampleAndScore.Scored s : g.completions()) {
                    Completion c = s.completion();
                    double reward = s.verdict(0).reward();
                    boolean formatOk = format == null || s.verdict(1).reward() >= 1.0;
                    samples++;
                    if (reward < options.threshold()) continue;
                    verified++;
                    if (!formatOk || (options.dropTruncated() && c.finishReason() == FinishReason.LENGTH)) continue;
                    accepted++;
                    if (keptHere < options.maxPerPrompt() && distinct.add(c.text())) {
                        out.add(new Row(text, c.text(), reward));
                        keptHere++;
                    }
                }
                kept += keptHere;
                if (keptHere > 0) withKept++;
            }
        }
        return new Report(prompts.size(), samples, verified, accepted, kept, withKept);
    }

    private String promptText(PromptExample p) {
        if (p.prompt() != null) return p.prompt();
        if (chatTokenizer == null) {
            throw new IllegalArgumentException(p.source() + ": the row has messages; give a tokenizer to render them");
        }
        return chatTokenizer.applyChatTemplate(p.messages(), true);
    }

    /** Writes {@code rows} as JSONL ({@code prompt}, {@code completion}, {@code reward}). */
    public static void write(List<Row> rows, Path output) {
        Path abs = output.toAbsolutePath();
        Path tmp = abs.resolveSibling("." + abs.getFileName() + ".tmp");
        try {
            Files.createDirectories(abs.getParent());
            try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                for (Row r : rows) {
                    ObjectNode o = JSON.createObjectNode();
                    o.put("prompt", r.prompt());
                    o.put("completion", r.completion());
                    o.put("reward", r.reward());
                    w.write(JSON.writeValueAsString(o));
                    w.write('\n');
                }
            }
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + abs + ": " + e.getMessage(), e);
        }
    }
}

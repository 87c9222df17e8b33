package dev.r1j.rollout;

import dev.r1j.core.Djl;
import dev.r1j.core.model.CausalLM;
import dev.r1j.core.sampling.Completion;
import dev.r1j.core.sampling.CompletionGroup;
import dev.r1j.core.sampling.Sampler;
import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.core.tokenizer.Tokenizer;
import dev.r1j.env.ToolRunner;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Generation on the policy itself: G completions for each prompt, all prompts × G rows decoded together with the
 * model's KV cache.
 *
 * <p>How a call runs: prompts are tokenized (a BOS is prepended when the tokenizer has one and the prompt does not
 * already start with it), left-padded to a common length and prefilled <em>once per prompt</em>; the cache rows
 * are then repeated G times ({@code KVCache.keepRows} with repeated indices). Each further step is one forward of
 * one token per live row. The last position's logits come back to Java as a {@code float[]}, where each row picks
 * its token ({@link NextToken}) with its own random stream derived from {@code (seed, prompt index, sample index)}.
 * When enough rows have finished (EOS, a stop string, or {@code max_new_tokens}), the batch is compacted
 * ({@code KVCache.keepRows} and the matching mask rows) so finished rows stop costing compute.
 *
 * <p><b>Log-probs.</b> {@link Completion#logprobs()} holds, for each generated token, {@code log softmax(z/T)[token]}
 * of the logits {@code z} at the sampling temperature {@code T} (the raw logits when {@code T} is 0, greedy), before
 * top-k and top-p: the behaviour log-prob of the distribution the token was drawn from, which is what GRPO's
 * importance ratio {@code π_θ/π_old} compares against the trainer's recomputation at the same temperature (TRL and
 * veRL divide the trainer's logits by {@code T} too).
 *
 * <p><b>Tokens and text.</b> The EOS token, when generated, is kept in the token ids (with its log-prob) so that
 * the trainer learns to stop, and skipped in the text. When a stop string appears, the text is cut just before
 * it and the tokens that produced it are kept.
 *
 * <pre>{@code
 * Sampler sampler = new LocalSampler(model, tokenizer);
 * List<CompletionGroup> groups =
 *         sampler.sample(List.of("12+7="), new SamplingParams(8, 64, 1.0, 1.0, 0, List.of("\n"), 42L));
 * }</pre>
 *
 * <p><b>Multi-turn tool use.</b> A sampler made {@link #withTools with a ToolRunner} runs episodes: a row whose
 * model turn completes a tool call pauses while the call runs (calls of different rows in parallel, each cut at the
 * environment's timeout), then the observation's tokens are fed to that row's cache in one step and the row goes on,
 * up to {@code max_turns} model turns and {@code max_total_tokens} tokens; {@code max_new_tokens} caps each model
 * turn. The completion interleaves model and observation tokens; {@link Completion#episode()} marks which are which
 * (observation log-probs are 0) and counts turns, calls, errors and timeouts.
 *
 * <pre>{@code
 * try (ToolRunner tools = ToolRunner.create(EnvironmentConfig.of("calculator"))) {
 *     Sampler s = new LocalSampler(model, tokenizer).withTools(tools);
 *     Completion c = s.sample(List.of("47*85="), SamplingParams.greedy(64)).get(0).completions().get(0);
 * }
 * }</pre>
 *
 * <p>Not thread-safe with respect to the model: calls are serialised.
 */
public final class LocalSampler implements Sampler {

    /**
     * Knobs that do not belong to {@link SamplingParams}.
     *
     * @param addBos prepend the tokenizer's BOS token (when it has one) to each prompt
     * @param compactFraction compact the batch once this fraction of its rows has finished (0 compacts as soon as
     *     one row finishes; a compaction copies the whole cache, so compacting at every single finish would cost
     *     more than it saves)
     */
    public record Options(boolean addBos, double compactFraction) {
        public Options {
            if (!(compactFraction >= 0 && compactFraction <= 1)) {
                throw new IllegalArgumentException("compactFraction must be in [0, 1], got " + compactFraction);
            }
        }

        public static Options defaults() {
            return new Options(true, 0.25);
        }
    }

    private final CausalLM model;
    private final Tokenizer tokenizer;
    private final Options options;
    private final ToolRunner tools;
    private volatile DecodeStats lastStats;

    public LocalSampler(CausalLM model, Tokenizer tokenizer) {
        this(model, tokenizer, Options.defaults());
    }

    public LocalSampler(CausalLM model, Tokenizer tokenizer, Options options) {
        this(model, tokenizer, options, null);
    }

    private LocalSampler(CausalLM model, Tokenizer tokenizer, Options options, ToolRunner tools) {
        this.model = Objects.requireNonNull(model, "model");
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.options = Objects.requireNonNull(options, "options");
        this.tools = tools;
    }

    /**
     * A sampler over the same model that runs multi-turn episodes with {@code tools} (null: single-turn). The caller
     * keeps owning and closes the runner.
     */
    public LocalSampler withTools(ToolRunner tools) {
        return new LocalSampler(model, tokenizer, options, tools);
    }

    /**
     * The most tokens a completion may take when each model turn may take {@code maxNewTokens}: that for single-turn
     * sampling, a multi-turn episode's {@code max_total_tokens} (model and observation tokens) otherwise.
     */
    public int completionBudget(int maxNewTokens) {
        return tools == null ? maxNewTokens : tools.config().maxTotalTokens();
    }

    /** The tool runner of multi-turn sampling, or null. */
    public ToolRunner tools() {
        return tools;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public CausalLM model() {
        return model;
    }

    public Options options() {
        return options;
    }

    /** Timings of the most recent call, or null before the first. */
    public DecodeStats lastStats() {
        return lastStats;
    }

    /** The ids this sampler feeds for {@code prompt}: its encoding, with BOS prepended when configured. */
    public int[] encodePrompt(String prompt) {
        int[] ids = tokenizer.encode(prompt);
        int bos = tokenizer.bosId();
        if (options.addBos() && bos >= 0 && (ids.length == 0 || ids[0] != bos)) {
            int[] withBos = new int[ids.length + 1];
            withBos[0] = bos;
            System.arraycopy(ids, 0, withBos, 1, ids.length);
            return withBos;
        }
        return ids;
    }

    @Override
    public synchronized List<CompletionGroup> sample(List<String> prompts, SamplingParams params) {
        List<int[]> ids = new ArrayList<>(prompts.size());
        for (String p : prompts) ids.add(encodePrompt(Objects.requireNonNull(p, "prompt")));
        return generate(prompts, ids, params);
    }

    /** Like {@link #sample} on prompts that are already token ids (fed as they are: no BOS is added). */
    public synchronized List<CompletionGroup> sampleIds(List<int[]> promptIds, SamplingParams params) {
        List<String> texts = new ArrayList<>(promptIds.size());
        for (int[] ids : promptIds) texts.add(tokenizer.decode(ids));
        return generate(texts, promptIds, params);
    }

    private List<CompletionGroup> generate(List<String> texts, List<int[]> promptIds, SamplingParams params) {
        if (promptIds.isEmpty()) return List.of();
        PromptBudget budget = PromptBudget.of(this, params.maxNewTokens());
        for (int i = 0; i < promptIds.size(); i++) {
            if (promptIds.get(i).length == 0) {
                throw new IllegalArgumentException("prompt " + i + " has no tokens (an empty prompt needs a BOS token)");
            }
            budget.requireTokens(promptIds.get(i).length, "prompt " + i + " ('" + snippet(texts.get(i)) + "')");
        }
        // no backward graph: generation never trains, and grad mode is on by default on threads other than DJL's first
        Row[] rows = Djl.withoutGradients(() -> decode(promptIds, params));
        int g = params.groupSize();
        List<CompletionGroup> groups = new ArrayList<>(promptIds.size());
        for (int p = 0; p < promptIds.size(); p++) {
            List<Completion> completions = new ArrayList<>(g);
            for (int j = 0; j < g; j++) completions.add(rows[p * g + j].toCompletion(tokenizer));
            groups.add(new CompletionGroup(texts.get(p), promptIds.get(p).clone(), completions));
        }
        return groups;
    }

    private static String snippet(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "…";
    }

    /** The decoding loop over prompts × G rows ({@link DecodeBatch}); returns the rows in (prompt, sample) order. */
    private Row[] decode(List<int[]> promptIds, SamplingParams params) {
        long start = System.nanoTime();
        try (DecodeBatch batch = new DecodeBatch(model, tokenizer, options.compactFraction())) {
            List<DecodeBatch.Seq> seqs = batch.join(List.of(new DecodeBatch.Group(promptIds, params, 0, null, tools)));
            while (batch.step(s -> {})) {
                // one token per live row per step
            }
            Row[] rows = new Row[seqs.size()];
            long generated = 0;
            for (int r = 0; r < rows.length; r++) {
                rows[r] = seqs.get(r).row;
                generated += rows[r].length();
            }
            lastStats = batch.stats(System.nanoTime() - start, generated);
            return rows;
        }
    }
}

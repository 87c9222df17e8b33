package dev.r1j.rollout;

import dev.r1j.core.model.ModelConfig;
import java.util.function.ToIntFunction;

/**
 * Whether a prompt leaves room for its completion in the model's context ({@code max_position_embeddings}): prompt
 * tokens (as the sampler feeds them, BOS included) plus {@code max_new_tokens} must fit. A model runs past its
 * context without an error (rotary positions are computed, not looked up) but on positions it never trained on, so
 * stages refuse such prompts before any work, naming the dataset line, and {@link LocalSampler} refuses them too.
 *
 * <pre>{@code
 * PromptBudget budget = PromptBudget.of(sampler, 64);
 * budget.require(promptText, "data/test.jsonl:12");
 * }</pre>
 *
 * @param contextLength the model's context, {@code Integer.MAX_VALUE} when its config does not say
 * @param promptTokens  how many tokens the sampler feeds for a prompt text
 * @param budgetOption  the option that sets {@code maxNewTokens}, named in the error: {@code max_new_tokens}, or
 *                      a multi-turn episode's {@code max_total_tokens}
 */
public record PromptBudget(int contextLength, int maxNewTokens, ToIntFunction<String> promptTokens,
                           String budgetOption) {

    /**
     * The budget of {@code sampler}'s model for completions of up to {@code maxNewTokens} (a multi-turn sampler's
     * completions may grow to its episode budget, {@link LocalSampler#completionBudget}).
     */
    public static PromptBudget of(LocalSampler sampler, int maxNewTokens) {
        return new PromptBudget(contextLength(sampler.model().config()), sampler.completionBudget(maxNewTokens),
                p -> sampler.encodePrompt(p).length,
                sampler.tools() == null ? "max_new_tokens" : "environment.max_total_tokens");
    }

    /** The context of a model whose config is {@code c}; {@code Integer.MAX_VALUE} when it has none. */
    static int contextLength(ModelConfig c) {
        return c == null ? Integer.MAX_VALUE : c.maxPositionEmbeddings();
    }

    /**
     * Throws, naming {@code where}, when {@code prompt} leaves no room for {@code maxNewTokens} completion tokens or
     * cannot be encoded at all (a character outside a character tokenizer's alphabet).
     */
    public void require(String prompt, String where) {
        int tokens;
        try {
            tokens = promptTokens.applyAsInt(prompt);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
        requireTokens(tokens, where);
    }

    void requireTokens(int tokens, String where) {
        if ((long) tokens + maxNewTokens > contextLength) {
            throw new IllegalArgumentException(where + ": the prompt is " + tokens + " tokens; with " + budgetOption
                    + " " + maxNewTokens + " it does not fit the model's context of " + contextLength
                    + " tokens (max_position_embeddings), which leaves room for prompts of at most "
                    + Math.max(0, contextLength - maxNewTokens) + " tokens: shorten or drop the row, or lower "
                    + budgetOption);
        }
    }
}

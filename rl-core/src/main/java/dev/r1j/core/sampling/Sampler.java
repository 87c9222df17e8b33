package dev.r1j.core.sampling;

import java.util.List;

/**
 * Samples groups of completions. The GRPO trainer asks for one; {@code rollout} provides a local one (generation
 * on the policy itself) and a remote one (any OpenAI-compatible server).
 *
 * <pre>{@code
 * List<CompletionGroup> groups = sampler.sample(List.of("12+7="), new SamplingParams(8, 64, 1.0, 1.0, 0, List.of(), 1));
 * }</pre>
 */
public interface Sampler extends AutoCloseable {
    /** One group of {@code params.groupSize()} completions per prompt, in prompt order. */
    List<CompletionGroup> sample(List<String> prompts, SamplingParams params);

    @Override
    default void close() {}
}

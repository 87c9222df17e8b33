package dev.r1j.core.sampling;

import java.util.List;

/** The G completions of one prompt, with the prompt's token ids exactly as the sampler fed them. */
public record CompletionGroup(String prompt, int[] promptTokenIds, List<Completion> completions) {
    public CompletionGroup {
        completions = List.copyOf(completions);
    }
}

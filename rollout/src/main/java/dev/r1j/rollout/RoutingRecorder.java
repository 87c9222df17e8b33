package dev.r1j.rollout;

import dev.r1j.core.model.CausalLM;
import dev.r1j.core.model.RoutingReplay;

/**
 * The sampler's half of routing replay ({@link RoutingReplay}): when the model's expert-routing hook is a replay
 * that is recording, every sequence of a {@link DecodeBatch} gets a track, and each forward appends its fed
 * tokens with the experts they were routed to. Without such a hook nothing is recorded and nothing is spent.
 */
final class RoutingRecorder {
    private RoutingRecorder() {}

    /** The model's replay when it is recording, else null. */
    static RoutingReplay of(CausalLM model) {
        return model.expertRouting() instanceof RoutingReplay r && r.recording() ? r : null;
    }

    /**
     * A track holding the prompt just prefilled: its tokens sit at flat indices {@code first ..} of the prefill
     * forward (the row's real, right-aligned columns).
     */
    static RoutingReplay.Track prompt(RoutingReplay replay, int[] prompt, int first) {
        RoutingReplay.Track t = replay.newTrack();
        for (int i = 0; i < prompt.length; i++) t.append(prompt[i], first + i);
        t.endPrompt();
        return t;
    }
}

package dev.r1j.rollout;

import dev.r1j.core.sampling.Episode;
import dev.r1j.core.sampling.FinishReason;
import dev.r1j.core.tokenizer.Tokenizer;
import dev.r1j.env.Conversation;
import dev.r1j.env.ToolRunner;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * The multi-turn state of one row of a {@link DecodeBatch}: where its current model turn starts, the call it is
 * waiting on, and the episode's counts. After each model token {@link #afterToken} looks for a completed call in the
 * turn; a call pauses the row while the {@link ToolRunner} answers it (rows' calls run in parallel), and
 * {@link #resume} appends the observation's tokens to the row and returns what the batch must feed: the call's last
 * token and the observation, in one prefill of those tokens only.
 */
final class RowEpisode {
    private final ToolRunner tools;
    private final ObservationText text;
    private final Tokenizer tokenizer;
    private Conversation conversation;
    private int turnStart;
    private int turns = 1, calls, errors, timeouts;
    private double reward;
    private CompletableFuture<ToolRunner.Outcome> pending;
    private String pendingTurn;

    RowEpisode(ToolRunner tools, ObservationText text, Tokenizer tokenizer, String prompt) {
        this.tools = tools;
        this.text = text;
        this.tokenizer = tokenizer;
        this.conversation = Conversation.start(prompt);
    }

    /** Waiting for a tool call's answer (ready or not). */
    boolean paused() {
        return pending != null;
    }

    /** The answer of the call the row waits on, or null when it is not paused. */
    CompletableFuture<ToolRunner.Outcome> pending() {
        return pending;
    }

    /**
     * Decides, after the model appended a token (not EOS), whether its turn stops here: a stop string ends the
     * episode, a completed call pauses the row (or, in the last allowed turn, ends the episode), and the turn's
     * ({@code max_new_tokens}) and the episode's ({@code max_total_tokens}) budgets end it at length.
     */
    void afterToken(Row row, StopStrings stops, int maxTurnTokens) {
        int[] all = row.tokens();
        String turn = tokenizer.decode(Arrays.copyOfRange(all, turnStart, all.length));
        if (!stops.isEmpty()) {
            int cut = stops.find(turn);
            if (cut >= 0) {
                row.finish(FinishReason.STOP, tokenizer.decode(Arrays.copyOf(all, turnStart)) + turn.substring(0, cut));
                return;
            }
        }
        int end = tools.callEnd(turn);
        if (end >= 0) {
            if (turns >= tools.config().maxTurns()) {
                row.finish(FinishReason.STOP, null); // no turn left to read an answer in
                return;
            }
            calls++;
            pendingTurn = turn;
            conversation = conversation.with(Conversation.Message.assistant(turn.substring(0, end)));
            pending = tools.submit(conversation, turn.substring(0, end));
            return;
        }
        if (all.length >= tools.config().maxTotalTokens() || all.length - turnStart >= maxTurnTokens) {
            row.finish(FinishReason.LENGTH, null);
        }
    }

    /**
     * Model tokens the row may still add in its current turn: what is left of the turn's {@code maxTurnTokens} and of
     * the episode's {@code max_total_tokens}.
     */
    int turnRoom(Row row, int maxTurnTokens) {
        return Math.min(maxTurnTokens - (row.length() - turnStart), tools.config().maxTotalTokens() - row.length());
    }

    /**
     * Appends the answer of the finished call as observation tokens (cut to the episode's token budget) and returns
     * the tokens to feed, the call's last model token first; null when the episode ended instead (the environment
     * said done, or the budget is spent).
     */
    int[] resume(Row row) {
        ToolRunner.Outcome o = pending.join();
        pending = null;
        if (o.isError()) errors++;
        if (o.isTimeout()) timeouts++;
        reward += o.reward();
        conversation = conversation.with(Conversation.Message.tool(o.output()));
        if (o.done()) {
            row.finish(FinishReason.STOP, null);
            return null;
        }
        int last = row.lastToken();
        int[] obs = tokenizer.encode(text.render(pendingTurn, o.output()));
        int room = tools.config().maxTotalTokens() - row.length();
        int n = Math.min(obs.length, Math.max(room, 0));
        for (int i = 0; i < n; i++) row.appendObservation(obs[i]);
        if (n == room) { // no token left for the model
            row.finish(FinishReason.LENGTH, null);
            return null;
        }
        turns++;
        turnStart = row.length();
        int[] feed = new int[n + 1];
        feed[0] = last;
        System.arraycopy(obs, 0, feed, 1, n);
        return feed;
    }

    /** The episode's record, with the row's observation marks. */
    Episode episode(boolean[] observation) {
        return new Episode(observation, turns, calls, errors, timeouts, reward);
    }
}

package dev.r1j.rollout;

import dev.r1j.core.sampling.Completion;
import dev.r1j.core.sampling.CompletionGroup;
import dev.r1j.core.sampling.FinishReason;
import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.core.tokenizer.Tokenizer;
import dev.r1j.env.ToolRunner;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Multi-turn tool-use episodes on an OpenAI-compatible {@code /v1/completions} server (raw completions, no chat
 * API): the episodes {@link LocalSampler#withTools} runs on the trainer, with the server doing the decoding.
 *
 * <p>A group's first turns are one request ({@code n = group_size}, the prompt as text; the server's
 * {@code prompt_token_ids} are the episode's prompt). Each returned token is replayed into a {@link Row} with a
 * {@link RowEpisode}, exactly as the local decoding loop feeds its own tokens ({@link Row#afterModelToken}): the same
 * code decides where the turn ends (EOS, a stop string, a completed tool call, the turn's or the episode's budget),
 * runs the call on the {@link ToolRunner} and appends the observation's tokens (log-prob 0, marked), so a
 * {@link Completion#episode()} from a server has the token ids, observation marks and counts the local sampler would
 * build, and the server's log-probs for the model tokens. Tokens the server generated past the point where the row
 * paused or ended are dropped. The row then goes on alone ({@code n = 1}): its text so far (prompt, model turns,
 * observations) is sent as token ids, which the server feeds as they are, with {@code max_tokens} what is left of the
 * turn. Each request also stops at the tool format's {@link dev.r1j.env.ToolCallFormat#callStop call stop}, so a
 * turn comes back as soon as a call may be complete (a stop that did not complete one, e.g. an opening fence after
 * a line, just continues the turn in another request).
 *
 * <p>Continuation requests are seeded from {@code (seed, sample, request number)}, so a group asked again (a retry
 * on another server holding the same weights) gets the same episodes.
 *
 * <pre>{@code
 * try (ToolRunner tools = ToolRunner.create(EnvironmentConfig.of("calculator"))) {
 *     Sampler s = new RemoteSampler(URI.create("http://127.0.0.1:8000"), "toy", tokenizer).withTools(tools, tokenizer);
 *     Completion c = s.sample(List.of("47*85="), params).get(0).completions().get(0);   // c.episode() marks the output
 * }
 * }</pre>
 */
public final class RemoteEpisodes {
    private final ToolRunner tools;
    private final Tokenizer tokenizer;
    private final ObservationText text;

    private RemoteEpisodes(ToolRunner tools, Tokenizer tokenizer) {
        this.tools = tools;
        this.tokenizer = tokenizer;
        this.text = ObservationText.of(tools.config().format(), tokenizer);
    }

    /**
     * Episodes answered by {@code tools}, with {@code tokenizer} the served model's (it encodes observations and
     * decodes turns, as the trainer does).
     */
    public static RemoteEpisodes of(ToolRunner tools, Tokenizer tokenizer) {
        return new RemoteEpisodes(Objects.requireNonNull(tools, "tools"), Objects.requireNonNull(tokenizer, "tokenizer"));
    }

    /** The tool runner answering the calls. */
    public ToolRunner tools() {
        return tools;
    }

    /** The group of {@code params.groupSize()} episodes for {@code prompt}, each a chain of requests to {@code server}. */
    CompletableFuture<CompletionGroup> group(RemoteSampler server, String model, String prompt, SamplingParams params,
            long seed) {
        int maxTotal = tools.config().maxTotalTokens();
        Turn turn = new Turn(server, model, params, serverStops(params), seed);
        SamplingParams first = turn.request(params.groupSize(), Math.min(params.maxNewTokens(), maxTotal));
        return server.send(model, prompt, null, first, seed).thenCompose(g -> {
            int[] promptIds = g.promptTokenIds();
            if (promptIds.length == 0) {
                throw new IllegalStateException("the server returned no prompt_token_ids: a multi-turn episode sends "
                        + "its text so far as token ids and needs the prompt's");
            }
            String promptText = tokenizer.decode(promptIds);
            List<CompletableFuture<Row>> rows = new ArrayList<>();
            for (int j = 0; j < params.groupSize(); j++) {
                Row row = new Row(0, j, seed, maxTotal);
                row.episode = new RowEpisode(tools, text, tokenizer, promptText);
                rows.add(turn.take(promptIds, row, g.completions().get(j), 0));
            }
            return CompletableFuture.allOf(rows.toArray(CompletableFuture[]::new)).thenApply(v -> {
                List<Completion> completions = new ArrayList<>(rows.size());
                for (CompletableFuture<Row> r : rows) completions.add(r.join().toCompletion(tokenizer));
                return new CompletionGroup(prompt, promptIds, completions);
            });
        });
    }

    /** The episode's stop strings and the format's call stop: a server's turn comes back at either. */
    private List<String> serverStops(SamplingParams params) {
        Set<String> stops = new LinkedHashSet<>(params.stop());
        stops.add(tools.config().format().callStop());
        return List.copyOf(stops);
    }

    /** What every request of a group shares. */
    private final class Turn {
        final RemoteSampler server;
        final String model;
        final SamplingParams params;
        final List<String> stops;
        final StopStrings episodeStops;
        final StopStrings serverStops; // those sent with each request
        final long seed;

        Turn(RemoteSampler server, String model, SamplingParams params, List<String> stops, long seed) {
            this.server = server;
            this.model = model;
            this.params = params;
            this.stops = stops;
            this.episodeStops = new StopStrings(params.stop());
            this.serverStops = new StopStrings(stops);
            this.seed = seed;
        }

        SamplingParams request(int n, int maxTokens) {
            return new SamplingParams(n, maxTokens, params.temperature(), params.topP(), params.topK(), stops,
                    params.seed());
        }

        /**
         * Replays the server's answer {@code c} into {@code row}, then runs the call it paused at or asks for the
         * rest of the turn, until the episode ends; {@code requests} counts this row's continuation requests so far.
         */
        CompletableFuture<Row> take(int[] promptIds, Row row, Completion c, int requests) {
            replay(row, c);
            if (row.done()) return CompletableFuture.completedFuture(row);
            if (row.episode.paused()) {
                return row.episode.pending().thenCompose(answer -> {
                    if (row.episode.resume(row) == null) return CompletableFuture.completedFuture(row); // it ended
                    return next(promptIds, row, requests);
                });
            }
            return next(promptIds, row, requests); // a server stop that completed no call: the turn goes on
        }

        private CompletableFuture<Row> next(int[] promptIds, Row row, int requests) {
            int[] sofar = row.tokens();
            int[] ids = new int[promptIds.length + sofar.length];
            System.arraycopy(promptIds, 0, ids, 0, promptIds.length);
            System.arraycopy(sofar, 0, ids, promptIds.length, sofar.length);
            SamplingParams p = request(1, row.episode.turnRoom(row, params.maxNewTokens()));
            long s = Row.rowSeed(seed, row.sample, requests + 1);
            return server.send(model, "", ids, p, s)
                    .thenCompose(g -> take(promptIds, row, g.completions().get(0), requests + 1));
        }

        /** Feeds the server's tokens to the row until it pauses at a call or ends, as the local loop would. */
        private void replay(Row row, Completion c) {
            if (c.logprobs() == null) {
                throw new IllegalStateException("the server's answer has no per-token log-probs "
                        + "(logprobs.token_logprobs); a multi-turn episode keeps them for the model's tokens");
            }
            int[] ids = c.tokenIds();
            for (int k = 0; k < ids.length && !row.done() && !row.episode.paused(); k++) {
                row.append(ids[k], c.logprobs()[k]);
                row.afterModelToken(ids[k], tokenizer, episodeStops, params.maxNewTokens());
            }
            if (!row.done() && !row.episode.paused()
                    && (ids.length == 0 || c.finishReason() == FinishReason.EOS
                            && serverStops.find(tokenizer.decode(ids)) < 0)) {
                // the server ended the sequence (an EOS it did not return as a token; not one of our stop strings,
                // which a server that sends no stop_reason also reports as a plain stop): so does the episode
                row.finish(FinishReason.EOS, null);
            }
        }
    }
}

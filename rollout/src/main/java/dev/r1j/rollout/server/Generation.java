package dev.r1j.rollout.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.r1j.core.sampling.Completion;
import dev.r1j.core.sampling.CompletionGroup;
import dev.r1j.core.sampling.FinishReason;
import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.core.tokenizer.Tokenizer;
import dev.r1j.rollout.ContinuousBatcher;
import dev.r1j.rollout.TopLogprobs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * One submitted completion or chat request and its OpenAI-shaped output: the whole response
 * ({@link #response}), or a stream of chunks ({@link #stream}) fed token by token from the decoding thread through a
 * queue, so a slow client slows only its own HTTP thread, never the batch.
 */
final class Generation {
    enum Kind { COMPLETION, CHAT }

    /** Where a stream's chunks go ({@code data: ...} events of text/event-stream). */
    interface Sink {
        void send(ObjectNode chunk) throws IOException;
    }

    private record Event(int choice, int token, float logprob, TopLogprobs top, FinishReason finish, String text) {}

    private static final Object END = new Object();

    private final Kind kind;
    private final List<int[]> promptIds;
    private final SamplingParams params;
    private final Integer logprobs; // null: none; else the number of alternatives
    private final boolean stream;
    private final boolean includeUsage;
    private final String modelName;
    private final Tokenizer tokenizer;
    private final ObjectMapper json;
    private final String id;
    private final long created = System.currentTimeMillis() / 1000;
    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    private final ContinuousBatcher.Ticket ticket;

    Generation(Kind kind, ContinuousBatcher batcher, List<int[]> promptIds, SamplingParams params, Integer logprobs,
            boolean stream, boolean includeUsage, String modelName, Tokenizer tokenizer, ObjectMapper json) {
        this.kind = kind;
        this.promptIds = promptIds;
        this.params = params;
        this.logprobs = logprobs;
        this.stream = stream;
        this.includeUsage = includeUsage;
        this.modelName = modelName;
        this.tokenizer = tokenizer;
        this.json = json;
        this.id = (kind == Kind.CHAT ? "chatcmpl-" : "cmpl-") + UUID.randomUUID().toString().replace("-", "");
        this.ticket = batcher.submit(promptIds, params, logprobs == null ? 0 : logprobs, stream ? this::onToken : null);
        if (stream) ticket.result().whenComplete((r, e) -> events.add(e != null ? e : END));
    }

    boolean streaming() {
        return stream;
    }

    /** Stops generating (the client went away). */
    void cancel() {
        ticket.cancel();
    }

    private void onToken(int choice, int token, float lp, TopLogprobs top, FinishReason finish, String text) {
        events.add(new Event(choice, token, lp, top, finish, text));
    }

    /** Waits for the request and renders the whole response. */
    ObjectNode response() throws InterruptedException {
        ContinuousBatcher.Result result = await();
        ObjectNode out = header(kind == Kind.CHAT ? "chat.completion" : "text_completion");
        ArrayNode choices = out.putArray("choices");
        int promptTokens = 0, completionTokens = 0;
        int n = params.groupSize();
        for (int p = 0; p < result.groups().size(); p++) {
            CompletionGroup g = result.groups().get(p);
            promptTokens += g.promptTokenIds().length;
            for (int j = 0; j < n; j++) {
                Completion c = g.completions().get(j);
                TopLogprobs[] top = result.top().get(p * n + j);
                completionTokens += c.tokenIds().length;
                ObjectNode choice = choices.addObject().put("index", p * n + j);
                if (kind == Kind.CHAT) {
                    choice.putObject("message").put("role", "assistant").put("content", c.text());
                } else {
                    choice.put("text", c.text());
                }
                if (logprobs == null) {
                    choice.putNull("logprobs");
                } else if (kind == Kind.CHAT) {
                    ArrayNode content = choice.putObject("logprobs").putArray("content");
                    for (int k = 0; k < c.tokenIds().length; k++) {
                        chatLogprob(content, c.tokenIds()[k], c.logprobs()[k], top == null ? null : top[k]);
                    }
                } else {
                    completionLogprobs(choice.putObject("logprobs"), c.tokenIds(), c.logprobs(), top, 0);
                }
                finish(choice, c.finishReason(), c.text(), c.tokenIds());
                ids(choice.putArray("token_ids"), c.tokenIds());
                if (kind == Kind.COMPLETION) ids(choice.putArray("prompt_token_ids"), g.promptTokenIds());
            }
        }
        if (kind == Kind.CHAT) ids(out.putArray("prompt_token_ids"), result.groups().get(0).promptTokenIds());
        usage(out, promptTokens, completionTokens);
        return out;
    }

    private ContinuousBatcher.Result await() throws InterruptedException {
        try {
            return ticket.result().get();
        } catch (ExecutionException e) {
            throw failure(e.getCause());
        } catch (InterruptedException e) {
            ticket.cancel();
            throw e;
        }
    }

    private static ApiException failure(Throwable cause) {
        if (cause instanceof CancellationException) {
            return new ApiException(503, "server_error", "the request was cancelled (the server is shutting down)",
                    null, null);
        }
        return new ApiException(500, "server_error", "generation failed: " + cause.getMessage(), null, null);
    }

    /** Per choice of a stream: the tokens so far and how much of their text was sent. */
    private static final class ChoiceState {
        int[] tokens = new int[16];
        int length;
        int sent;
    }

    /**
     * Sends the chunks of a streamed response as tokens arrive, then {@code [DONE]} is up to the caller. Text is
     * held back while it could still turn out to start a stop string, or end inside an incomplete UTF-8 sequence.
     */
    void stream(Sink sink) throws IOException, InterruptedException {
        int n = params.groupSize();
        ChoiceState[] states = new ChoiceState[promptIds.size() * n];
        for (int i = 0; i < states.length; i++) states[i] = new ChoiceState();
        int holdBack = params.stop().stream().mapToInt(String::length).max().orElse(1) - 1;
        if (kind == Kind.CHAT) {
            for (int i = 0; i < states.length; i++) {
                ObjectNode chunk = chunk();
                ObjectNode choice = ((ArrayNode) chunk.get("choices")).addObject().put("index", i);
                choice.putObject("delta").put("role", "assistant").put("content", "");
                choice.putNull("logprobs");
                choice.putNull("finish_reason");
                sink.send(chunk);
            }
        }
        int completionTokens = 0;
        while (true) {
            Object e = events.take();
            if (e == END) break;
            if (e instanceof Throwable t) throw failure(t);
            Event ev = (Event) e;
            ChoiceState s = states[ev.choice()];
            if (s.length == s.tokens.length) s.tokens = Arrays.copyOf(s.tokens, s.length * 2);
            s.tokens[s.length++] = ev.token();
            completionTokens++;
            int[] sofar = Arrays.copyOf(s.tokens, s.length);
            String text = ev.text() != null ? ev.text() : tokenizer.decode(sofar);
            int safe = text.length();
            if (ev.finish() == null) {
                safe = Math.max(0, safe - holdBack);
                while (safe > 0 && text.charAt(safe - 1) == '\uFFFD') safe--;
            }
            String delta = safe > s.sent ? text.substring(s.sent, safe) : "";
            s.sent = Math.max(s.sent, safe);
            ObjectNode chunk = chunk();
            ObjectNode choice = ((ArrayNode) chunk.get("choices")).addObject().put("index", ev.choice());
            if (kind == Kind.CHAT) {
                ObjectNode d = choice.putObject("delta");
                if (!delta.isEmpty() || ev.finish() == null) d.put("content", delta);
                if (logprobs == null) {
                    choice.putNull("logprobs");
                } else {
                    chatLogprob(choice.putObject("logprobs").putArray("content"), ev.token(), ev.logprob(), ev.top());
                }
            } else {
                choice.put("text", delta);
                if (logprobs == null) {
                    choice.putNull("logprobs");
                } else {
                    completionLogprobs(choice.putObject("logprobs"), new int[] {ev.token()}, new float[] {ev.logprob()},
                            ev.top() == null ? null : new TopLogprobs[] {ev.top()}, s.sent - delta.length());
                }
            }
            if (ev.finish() == null) {
                choice.putNull("finish_reason");
            } else {
                finish(choice, ev.finish(), text, sofar);
            }
            sink.send(chunk);
        }
        if (includeUsage) {
            ObjectNode chunk = chunk();
            int promptTokens = promptIds.stream().mapToInt(a -> a.length).sum();
            usage(chunk, promptTokens, completionTokens);
            sink.send(chunk);
        }
    }

    private ObjectNode chunk() {
        ObjectNode c = header(kind == Kind.CHAT ? "chat.completion.chunk" : "text_completion");
        c.putArray("choices");
        return c;
    }

    private ObjectNode header(String object) {
        return json.createObjectNode().put("id", id).put("object", object).put("created", created)
                .put("model", modelName);
    }

    /**
     * A token's text in logprobs. Special tokens (BOS, EOS, pad) decode to nothing, which would make them collide
     * in the completions API's {@code {token: logprob}} dicts; they are named {@code <token N>} instead.
     */
    private String piece(int token) {
        String text = tokenizer.decode(new int[] {token});
        return text.isEmpty() ? "<token " + token + ">" : text;
    }

    /** One entry of a chat choice's {@code logprobs.content}, with its {@code top_logprobs}. */
    private void chatLogprob(ArrayNode content, int token, float logprob, TopLogprobs top) {
        ObjectNode t = content.addObject();
        tokenEntry(t, token, logprob);
        ArrayNode alternatives = t.putArray("top_logprobs");
        if (top != null) {
            for (int i = 0; i < top.tokens().length; i++) tokenEntry(alternatives.addObject(), top.tokens()[i], top.logprobs()[i]);
        }
    }

    private void tokenEntry(ObjectNode t, int token, float logprob) {
        String piece = piece(token);
        t.put("token", piece).put("logprob", logprob);
        ArrayNode bytes = t.putArray("bytes");
        for (byte b : piece.getBytes(StandardCharsets.UTF_8)) bytes.add(b & 0xff);
    }

    /** A completions choice's {@code logprobs}: tokens, token_logprobs, text_offset, top_logprobs (dicts). */
    private void completionLogprobs(ObjectNode l, int[] tokenIds, float[] values, TopLogprobs[] top, int offset) {
        ArrayNode tokens = l.putArray("tokens"), lps = l.putArray("token_logprobs"), offsets = l.putArray("text_offset");
        ArrayNode tops = logprobs > 0 ? l.putArray("top_logprobs") : null;
        if (tops == null) l.putNull("top_logprobs");
        for (int k = 0; k < tokenIds.length; k++) {
            String piece = piece(tokenIds[k]);
            tokens.add(piece);
            lps.add(values[k]);
            offsets.add(offset);
            offset += piece.length();
            if (tops != null) {
                ObjectNode alternatives = tops.addObject();
                TopLogprobs t = top[k];
                for (int i = 0; i < t.tokens().length; i++) {
                    String alt = piece(t.tokens()[i]);
                    if (!alternatives.has(alt)) alternatives.put(alt, t.logprobs()[i]); // pieces can decode alike
                }
            }
        }
    }

    /** OpenAI has only {@code stop} and {@code length}; EOS and stop strings are told apart by {@code stop_reason}. */
    private void finish(ObjectNode choice, FinishReason reason, String text, int[] tokenIds) {
        choice.put("finish_reason", reason == FinishReason.LENGTH ? "length" : "stop");
        if (reason == FinishReason.STOP) {
            choice.put("stop_reason", matchedStop(text, tokenIds));
        } else {
            choice.putNull("stop_reason");
        }
    }

    /** The stop string that starts where the returned text was cut. */
    private String matchedStop(String text, int[] tokenIds) {
        String full = tokenizer.decode(tokenIds);
        for (String s : params.stop()) if (full.startsWith(s, text.length())) return s;
        return params.stop().isEmpty() ? null : params.stop().get(0);
    }

    private static void ids(ArrayNode array, int[] ids) {
        for (int id : ids) array.add(id);
    }

    private static void usage(ObjectNode out, int prompt, int completion) {
        out.putObject("usage").put("prompt_tokens", prompt).put("completion_tokens", completion)
                .put("total_tokens", prompt + completion);
    }
}

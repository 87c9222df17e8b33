package dev.r1j.rollout;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1j.core.sampling.Completion;
import dev.r1j.core.sampling.CompletionGroup;
import dev.r1j.core.sampling.FinishReason;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.sampling.SamplingParams;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Map;
import dev.r1j.rollout.server.OpenAiServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A real server on a free loopback port, talked to over HTTP by raw requests and by {@link RemoteSampler}. */
class OpenAiServerTest {
    static final TestCharTokenizer TOK = new TestCharTokenizer("abcdefghij:;ua");
    static HistoryLM lm;
    static LocalSampler local;
    static OpenAiServer server;
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() {
        lm = HistoryLM.random(TOK.vocabSize(), 1.5, 1.0, 42);
        for (float[] row : lm.bigram) row[TestCharTokenizer.EOS] += 0.5f;
        lm.config = ModelConfig.tinyLlama(TOK.vocabSize()); // a context length of 128 tokens
        local = new LocalSampler(lm, TOK);
        server = OpenAiServer.start(local, "toy", 0, ContinuousBatcher.Limits.defaults());
    }

    @AfterAll
    static void stop() {
        server.close();
        lm.close();
    }

    record Reply(int status, JsonNode body) {}

    static Reply call(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUri() + path));
        b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.method(method, HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), JSON.readTree(r.body()));
    }

    static void assertError(Reply r, int status, String param) {
        assertEquals(status, r.status(), r.body().toString());
        JsonNode e = r.body().get("error");
        assertNotNull(e, r.body().toString());
        assertTrue(e.get("message").isTextual() && !e.get("message").asText().isEmpty());
        assertTrue(e.get("type").isTextual());
        assertTrue(e.has("param") && e.has("code"), "OpenAI error shape has param and code: " + e);
        if (param == null) assertTrue(e.get("param").isNull(), e.toString());
        else assertEquals(param, e.get("param").asText());
    }

    @Test
    void listsTheModel() throws Exception {
        Reply r = call("GET", "/v1/models", null);
        assertEquals(200, r.status());
        assertEquals("toy", r.body().at("/data/0/id").asText());
        assertEquals("list", r.body().get("object").asText());
    }

    @Test
    void completionsMatchTheLocalSamplerTokenForToken() throws Exception {
        Reply r = call("POST", "/v1/completions", """
                {"model":"toy","prompt":"abc","n":3,"max_tokens":7,"temperature":0.8,"top_p":0.9,"seed":5,"logprobs":0}""");
        assertEquals(200, r.status(), r.body().toString());
        CompletionGroup expected = local.sample(List.of("abc"), new SamplingParams(3, 7, 0.8, 0.9, 0, List.of(), 5)).get(0);
        JsonNode choices = r.body().get("choices");
        assertEquals(3, choices.size());
        int total = 0;
        for (int j = 0; j < 3; j++) {
            JsonNode c = choices.get(j);
            Completion e = expected.completions().get(j);
            assertEquals(j, c.get("index").asInt());
            assertEquals(e.text(), c.get("text").asText());
            assertEquals(e.tokenIds().length, c.get("token_ids").size());
            for (int k = 0; k < e.tokenIds().length; k++) {
                assertEquals(e.tokenIds()[k], c.get("token_ids").get(k).asInt());
                assertEquals(e.logprobs()[k], c.at("/logprobs/token_logprobs").get(k).floatValue(), 0f);
            }
            assertEquals(e.finishReason() == FinishReason.LENGTH ? "length" : "stop", c.get("finish_reason").asText());
            total += e.tokenIds().length;
        }
        assertEquals(expected.promptTokenIds().length, r.body().at("/usage/prompt_tokens").asInt());
        assertEquals(total, r.body().at("/usage/completion_tokens").asInt());
    }

    @Test
    void stopStringsAndChatAndBatchedPrompts() throws Exception {
        Reply r = call("POST", "/v1/completions", """
                {"prompt":["ab","c"],"n":2,"max_tokens":5,"temperature":0}""");
        assertEquals(200, r.status(), r.body().toString());
        assertEquals(4, r.body().get("choices").size());
        assertTrue(r.body().at("/choices/0/logprobs").isNull(), "logprobs only on request");
        String greedy = r.body().at("/choices/0/text").asText();
        assertEquals(greedy, r.body().at("/choices/1/text").asText(), "greedy samples of one prompt agree");

        // cut at a stop string seen in some prompt's greedy text: same text up to there, stop_reason says which
        String prompt = null, text = "";
        for (char c : "abcdefghij".toCharArray()) {
            text = local.sample(List.of(String.valueOf(c)), SamplingParams.greedy(6)).get(0).completions().get(0).text();
            if (text.length() >= 3) {
                prompt = String.valueOf(c);
                break;
            }
        }
        assertNotNull(prompt, "the test needs a prompt whose greedy text has 3+ characters");
        String stop = text.substring(1, 3);
        Reply s = call("POST", "/v1/completions",
                "{\"prompt\":\"" + prompt + "\",\"max_tokens\":6,\"temperature\":0,\"stop\":[\"zz\",\"" + stop + "\"]}");
        assertEquals(text.substring(0, text.indexOf(stop)), s.body().at("/choices/0/text").asText());
        assertEquals("stop", s.body().at("/choices/0/finish_reason").asText());
        assertEquals(stop, s.body().at("/choices/0/stop_reason").asText());

        Reply chat = call("POST", "/v1/chat/completions", """
                {"messages":[{"role":"user","content":"abc"}],"max_tokens":4,"temperature":0,"logprobs":true}""");
        assertEquals(200, chat.status(), chat.body().toString());
        String rendered = TOK.applyChatTemplate(List.of(java.util.Map.of("role", "user", "content", "abc")), true);
        Completion e = local.sample(List.of(rendered), SamplingParams.greedy(4)).get(0).completions().get(0);
        assertEquals(e.text(), chat.body().at("/choices/0/message/content").asText());
        assertEquals("assistant", chat.body().at("/choices/0/message/role").asText());
        assertEquals(e.tokenIds().length, chat.body().at("/choices/0/logprobs/content").size());
        assertEquals(e.logprobs()[0], chat.body().at("/choices/0/logprobs/content/0/logprob").floatValue(), 0f);
    }

    @Test
    void badRequestsGetOpenAiErrorsAndTheServerKeepsServing() throws Exception {
        assertError(call("POST", "/v1/completions", "{\"prompt\": \"ab\", "), 400, null);
        assertError(call("POST", "/v1/completions", "[1,2]"), 400, null);
        assertError(call("POST", "/v1/completions", "{\"n\": 2}"), 400, "prompt");
        assertError(call("POST", "/v1/completions", "{\"prompt\":\"a\",\"n\":0}"), 400, "n");
        assertError(call("POST", "/v1/completions", "{\"prompt\":\"a\",\"n\":\"two\"}"), 400, "n");
        assertError(call("POST", "/v1/completions", "{\"prompt\":\"a\",\"temperature\":-0.5}"), 400, "temperature");
        assertError(call("POST", "/v1/completions", "{\"prompt\":\"a\",\"top_p\":0}"), 400, "top_p");
        assertError(call("POST", "/v1/completions", "{\"prompt\":\"a\",\"max_tokens\":0}"), 400, "max_tokens");
        assertError(call("POST", "/v1/completions", "{\"prompt\":\"a\",\"stop\":7}"), 400, "stop");
        assertError(call("POST", "/v1/completions", "{\"prompt\":\"a\",\"stream\":1}"), 400, "stream");
        assertError(call("POST", "/v1/completions", "{\"prompt\":[3, 99]}"), 400, "prompt");
        assertError(call("POST", "/v1/completions", "{\"prompt\":[[3], []]}"), 400, "prompt");
        assertError(call("POST", "/v1/completions", "{\"prompt\":[\"a\", 3]}"), 400, "prompt");
        Reply tooMany = call("POST", "/v1/completions", "{\"prompt\":\"a\",\"logprobs\":21}");
        assertError(tooMany, 400, "logprobs");
        assertTrue(tooMany.body().at("/error/message").asText().contains("at most 20"), tooMany.body().toString());
        assertError(call("POST", "/v1/chat/completions", """
                {"messages":[{"role":"user","content":"a"}],"logprobs":true,"top_logprobs":21}"""), 400, "top_logprobs");
        assertError(call("POST", "/v1/chat/completions", """
                {"messages":[{"role":"user","content":"a"}],"top_logprobs":2}"""), 400, "top_logprobs");
        assertError(call("POST", "/v1/chat/completions", """
                {"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"x"}}]}]}"""),
                400, "messages[0]");
        assertError(call("POST", "/v1/completions", "{\"prompt\":\"xyz\"}"), 400, "prompt"); // not encodable
        assertError(call("POST", "/v1/completions", "{\"prompt\":\"a\",\"model\":\"gpt-9\"}"), 404, "model");
        assertError(call("POST", "/v1/chat/completions", "{\"messages\":[{\"role\":\"user\"}]}"), 400, "messages[0]");
        assertError(call("POST", "/v1/chat/completions", "{}"), 400, "messages");
        assertError(call("POST", "/v1/embeddings", "{}"), 404, null);
        assertError(call("GET", "/nope", null), 404, null);
        assertError(call("GET", "/v1/completions", null), 405, null);
        Reply ok = call("POST", "/v1/completions", "{\"prompt\":\"a\",\"max_tokens\":2}");
        assertEquals(200, ok.status(), "still serving after errors: " + ok.body());
    }

    @Test
    void remoteSamplerAgainstTheServerEqualsLocalSamplingPerPrompt() {
        SamplingParams p = new SamplingParams(4, 9, 1.0, 0.95, 6, List.of("j"), 2024);
        List<String> prompts = List.of("abc", "d", "ghij");
        try (RemoteSampler remote = new RemoteSampler(URI.create(server.baseUri() + "/v1/"), "toy", null)) {
            List<CompletionGroup> got = remote.sample(prompts, p);
            assertEquals(3, got.size());
            for (int i = 0; i < prompts.size(); i++) {
                SamplingParams pi = new SamplingParams(4, 9, 1.0, 0.95, 6, List.of("j"), RemoteSampler.promptSeed(2024, i));
                CompletionGroup want = local.sample(List.of(prompts.get(i)), pi).get(0);
                assertArrayEquals(want.promptTokenIds(), got.get(i).promptTokenIds());
                for (int j = 0; j < 4; j++) {
                    Completion a = got.get(i).completions().get(j), b = want.completions().get(j);
                    assertArrayEquals(b.tokenIds(), a.tokenIds());
                    assertArrayEquals(b.logprobs(), a.logprobs(), 0f);
                    assertEquals(b.text(), a.text());
                    assertEquals(b.finishReason(), a.finishReason(), "finish reason survives the wire");
                }
            }
        }
    }

    @Test
    void remoteSamplerReportsServerErrorsAndConcurrentRequestsAreServed() throws Exception {
        try (RemoteSampler wrong = new RemoteSampler(server.baseUri(), "not-toy", null)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> wrong.sample(List.of("a"), SamplingParams.greedy(2)));
            assertTrue(e.getMessage().contains("404") && e.getMessage().contains("not-toy"), e.getMessage());
        }
        CompletableFuture<Reply> slow = CompletableFuture.supplyAsync(() -> {
            try {
                return call("POST", "/v1/completions", "{\"prompt\":\"a\",\"n\":64,\"max_tokens\":40}");
            } catch (Exception ex) {
                throw new RuntimeException(ex);
            }
        });
        assertEquals(200, call("GET", "/v1/models", null).status());
        assertEquals(64, slow.get().body().get("choices").size());
    }

    /** The {@code data:} payloads of a server-sent-events body; the last must be {@code [DONE]}. */
    static List<JsonNode> events(String body) throws Exception {
        assertTrue(body.endsWith("data: [DONE]\n\n"), "ends with [DONE]: " + body);
        List<JsonNode> out = new ArrayList<>();
        for (String event : body.split("\n\n")) {
            assertTrue(event.startsWith("data: "), event);
            String data = event.substring("data: ".length());
            if (!data.equals("[DONE]")) out.add(JSON.readTree(data));
        }
        return out;
    }

    static HttpResponse<String> raw(String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(server.baseUri() + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void streamedCompletionsAndChatSayWhatTheWholeResponseSays() throws Exception {
        String request = """
                {"prompt":["abc","d"],"n":2,"max_tokens":9,"temperature":1.0,"seed":77,"stop":["jj","ha"],"logprobs":2""";
        JsonNode whole = call("POST", "/v1/completions", request + "}").body();
        HttpResponse<String> r = raw("/v1/completions",
                request + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("text/event-stream", r.headers().firstValue("Content-Type").orElse(""));
        List<JsonNode> chunks = events(r.body());
        String[] text = new String[4];
        Arrays.fill(text, "");
        String[] finish = new String[4];
        int[] tokens = new int[4];
        JsonNode usage = null;
        for (JsonNode c : chunks) {
            assertEquals("text_completion", c.get("object").asText());
            assertEquals(whole.get("model"), c.get("model"));
            if (c.has("usage")) {
                usage = c.get("usage");
                continue;
            }
            JsonNode choice = c.at("/choices/0");
            int i = choice.get("index").asInt();
            assertNull(finish[i], "nothing after a choice's finish_reason");
            text[i] += choice.get("text").asText();
            tokens[i] += choice.at("/logprobs/tokens").size();
            if (!choice.get("finish_reason").isNull()) finish[i] = choice.get("finish_reason").asText();
        }
        for (int i = 0; i < 4; i++) {
            JsonNode want = whole.at("/choices/" + i);
            assertEquals(want.get("text").asText(), text[i], "choice " + i);
            assertEquals(want.get("finish_reason").asText(), finish[i]);
            assertEquals(want.get("token_ids").size(), tokens[i]);
        }
        assertNotNull(usage, "include_usage adds a last chunk with the usage");
        assertEquals(whole.get("usage"), usage);

        String chatRequest = """
                {"messages":[{"role":"user","content":[{"type":"text","text":"ab"},{"type":"text","text":"c"}]}],
                "max_tokens":6,"temperature":0,"logprobs":true,"top_logprobs":3""";
        JsonNode chatWhole = call("POST", "/v1/chat/completions", chatRequest + "}").body();
        List<JsonNode> chatChunks = events(raw("/v1/chat/completions", chatRequest + ",\"stream\":true}").body());
        assertEquals("assistant", chatChunks.get(0).at("/choices/0/delta/role").asText(), "the first delta names the role");
        StringBuilder content = new StringBuilder();
        List<JsonNode> lps = new ArrayList<>();
        for (JsonNode c : chatChunks) {
            assertEquals("chat.completion.chunk", c.get("object").asText());
            content.append(c.at("/choices/0/delta/content").asText(""));
            for (JsonNode t : c.at("/choices/0/logprobs/content")) lps.add(t);
        }
        assertEquals(chatWhole.at("/choices/0/message/content").asText(), content.toString());
        assertEquals(chatWhole.at("/choices/0/logprobs/content").size(), lps.size());
        for (int k = 0; k < lps.size(); k++) assertEquals(chatWhole.at("/choices/0/logprobs/content/" + k), lps.get(k));
        assertEquals(chatWhole.at("/choices/0/finish_reason"), chatChunks.get(chatChunks.size() - 1).at("/choices/0/finish_reason"));
        // content parts are joined: the same as one string
        JsonNode asString = call("POST", "/v1/chat/completions", chatRequest.replace(
                "[{\"type\":\"text\",\"text\":\"ab\"},{\"type\":\"text\",\"text\":\"c\"}]", "\"abc\"") + "}").body();
        assertEquals(chatWhole.at("/choices/0/message/content"), asString.at("/choices/0/message/content"));
        assertEquals(chatWhole.get("prompt_token_ids"), asString.get("prompt_token_ids"));
    }

    @Test
    void tokenIdPromptsAreFedAsGiven() throws Exception {
        int[] ids = {TestCharTokenizer.BOS, TOK.id('a'), TOK.id('b')};
        int[] noBos = {TOK.id('c'), TOK.id('d')};
        Reply r = call("POST", "/v1/completions", """
                {"prompt":[[1, %d, %d], [%d, %d]],"max_tokens":5,"temperature":0.9,"seed":3,"n":2}"""
                .formatted(ids[1], ids[2], noBos[0], noBos[1]));
        assertEquals(200, r.status(), r.body().toString());
        List<CompletionGroup> want = local.sampleIds(List.of(ids, noBos), new SamplingParams(2, 5, 0.9, 1.0, 0, List.of(), 3));
        for (int p = 0; p < 2; p++) {
            for (int j = 0; j < 2; j++) {
                JsonNode c = r.body().at("/choices/" + (p * 2 + j));
                assertEquals(want.get(p).completions().get(j).text(), c.get("text").asText());
                assertEquals(want.get(p).promptTokenIds().length, c.get("prompt_token_ids").size());
            }
        }
        Reply single = call("POST", "/v1/completions", "{\"prompt\":[1, %d, %d],\"max_tokens\":5,\"temperature\":0}"
                .formatted(ids[1], ids[2]));
        assertEquals(local.sampleIds(List.of(ids), SamplingParams.greedy(5)).get(0).completions().get(0).text(),
                single.body().at("/choices/0/text").asText(), "a flat list of ints is one prompt");
        assertEquals(3, single.body().at("/usage/prompt_tokens").asInt());
    }

    /** log softmax of HistoryLM's closed-form logits after {@code history}, sorted: the independent reference. */
    static List<Map.Entry<Integer, Double>> sortedLogSoftmax(List<Integer> history) {
        float[] z = lm.logitsAfter(history);
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (float v : z) max = Math.max(max, v);
        for (float v : z) sum += Math.exp(v - max);
        List<Map.Entry<Integer, Double>> out = new ArrayList<>();
        for (int v = 0; v < z.length; v++) out.add(Map.entry(v, z[v] - max - Math.log(sum)));
        out.sort((a, b) -> Double.compare(b.getValue(), a.getValue()));
        return out;
    }

    @Test
    void topLogprobsAreTheModelsMostLikelyTokens() throws Exception {
        Reply r = call("POST", "/v1/completions", """
                {"prompt":"abc","max_tokens":6,"temperature":1.0,"seed":9,"logprobs":4}""");
        assertEquals(200, r.status(), r.body().toString());
        JsonNode choice = r.body().at("/choices/0");
        List<Integer> history = new ArrayList<>();
        for (int id : toInts(choice.get("prompt_token_ids"))) history.add(id);
        int[] tokens = toInts(choice.get("token_ids"));
        for (int k = 0; k < tokens.length; k++) {
            List<Map.Entry<Integer, Double>> ref = sortedLogSoftmax(history);
            JsonNode top = choice.at("/logprobs/top_logprobs/" + k);
            assertEquals(4, top.size(), top.toString());
            for (int i = 0; i < 4; i++) {
                String piece = tokenString(ref.get(i).getKey());
                assertTrue(top.has(piece), "rank " + i + " token '" + piece + "' in " + top);
                assertEquals(ref.get(i).getValue(), top.get(piece).asDouble(), 1e-6);
            }
            history.add(tokens[k]);
        }

        Reply chat = call("POST", "/v1/chat/completions", """
                {"messages":[{"role":"user","content":"ab"}],"max_tokens":4,"temperature":0,"logprobs":true,"top_logprobs":5}""");
        JsonNode content = chat.body().at("/choices/0/logprobs/content");
        history.clear();
        for (int id : toInts(chat.body().get("prompt_token_ids"))) history.add(id);
        for (int k = 0; k < content.size(); k++) {
            List<Map.Entry<Integer, Double>> ref = sortedLogSoftmax(history);
            JsonNode top = content.get(k).get("top_logprobs");
            assertEquals(5, top.size());
            for (int i = 0; i < 5; i++) {
                assertEquals(tokenString(ref.get(i).getKey()), top.get(i).get("token").asText());
                assertEquals(ref.get(i).getValue(), top.get(i).get("logprob").asDouble(), 1e-6);
            }
            assertEquals(top.get(0).get("token"), content.get(k).get("token"), "greedy takes the top token");
            history.add(ref.get(0).getKey());
        }
    }

    /** How the server names a token in logprobs: its text, or {@code <token N>} for one that decodes to nothing. */
    static String tokenString(int id) {
        String text = TOK.decode(new int[] {id});
        return text.isEmpty() ? "<token " + id + ">" : text;
    }

    static int[] toInts(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
        return out;
    }

    @Test
    void retrievesTheModelById() throws Exception {
        Reply r = call("GET", "/v1/models/toy", null);
        assertEquals(200, r.status());
        assertEquals("toy", r.body().get("id").asText());
        assertEquals("model", r.body().get("object").asText());
        assertEquals(128, r.body().get("max_model_len").asInt());
        Reply missing = call("GET", "/v1/models/gpt-9", null);
        assertError(missing, 404, "model");
        assertEquals("model_not_found", missing.body().at("/error/code").asText());
    }

    @Test
    void promptPlusMaxTokensOverTheContextLengthIsA400NamingTheLimit() throws Exception {
        Reply huge = call("POST", "/v1/completions", "{\"prompt\":\"abc\",\"max_tokens\":1000000000}");
        assertError(huge, 400, "max_tokens");
        assertEquals("context_length_exceeded", huge.body().at("/error/code").asText());
        assertTrue(huge.body().at("/error/message").asText().contains("maximum context length is 128 tokens"),
                huge.body().toString());
        Reply longPrompt = call("POST", "/v1/completions", "{\"prompt\":\"" + "abcdefghij".repeat(10_000) + "\"}");
        assertError(longPrompt, 400, "prompt");
        assertTrue(longPrompt.body().at("/error/message").asText().contains("100001 tokens"), longPrompt.body().toString());
        Reply chat = call("POST", "/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"max_tokens\":126}");
        assertError(chat, 400, "max_tokens");
        // without max_tokens the default shrinks to what is left of the context
        Reply fits = call("POST", "/v1/completions", "{\"prompt\":\"" + "abcdefghij".repeat(12) + "\",\"max_tokens\":7}");
        assertEquals(200, fits.status(), fits.body().toString());
        Reply rest = call("POST", "/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"" + "abcdefghij".repeat(11) + "\"}],\"temperature\":0}");
        assertEquals(200, rest.status(), rest.body().toString());
        assertTrue(rest.body().at("/usage/total_tokens").asInt() <= 128, rest.body().at("/usage").toString());
    }

    @Test
    void chatWithoutAChatTemplateIsA400() throws Exception {
        TestCharTokenizer plain = new TestCharTokenizer("abcdefghij:;ua");
        plain.hasChatTemplate = false;
        try (OpenAiServer bare = OpenAiServer.start(new LocalSampler(lm, plain), "bare", 0, ContinuousBatcher.Limits.defaults())) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(bare.baseUri() + "/v1/chat/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            JsonNode e = JSON.readTree(r.body()).get("error");
            assertEquals(400, r.statusCode(), r.body());
            assertEquals("chat_template_missing", e.get("code").asText());
            assertTrue(e.get("message").asText().contains("no chat template") && !r.body().contains("Exception"), r.body());
        }
    }

    @Test
    void aRequestOverTheMemoryBudgetIsA400AndFreesNothingItDidNotTake() throws Exception {
        // tinyLlama: 2 layers x 2 kv heads x head dim 8 x 2 (k, v) x 4 B = 256 B per cached position and row: 1.7 MB
        try (OpenAiServer small = OpenAiServer.start(local, "small", 0, new ContinuousBatcher.Limits(200_000, 1 << 20))) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(small.baseUri() + "/v1/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"abc\",\"n\":64,\"max_tokens\":100}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            JsonNode e = JSON.readTree(r.body()).get("error");
            assertEquals(400, r.statusCode(), r.body());
            assertEquals("memory_budget_exceeded", e.get("code").asText());
            assertTrue(e.get("message").asText().contains("per-request memory budget of 1 MiB"), r.body());
            HttpResponse<String> ok = HTTP.send(HttpRequest.newBuilder(URI.create(small.baseUri() + "/v1/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"abc\",\"n\":2,\"max_tokens\":10}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ok.statusCode(), ok.body());
        }
    }

    @Test
    void aStreamingClientThatDisconnectsHasItsRequestCancelled() throws Exception {
        // the seed with the longest completion: a request that draws the end-of-sequence token after a token or two
        // finishes before the client leaves, leaving nothing to cancel (unseeded, that depended on the tests run
        // before in the JVM: the toy model ends most completions early)
        int seed = 0;
        int longest = 0;
        for (int k = 0; k < 50; k++) {
            Reply probe = call("POST", "/v1/completions", "{\"prompt\":\"abc\",\"max_tokens\":100,\"seed\":" + k + "}");
            int n = probe.body().at("/usage/completion_tokens").asInt();
            if (n > longest) {
                longest = n;
                seed = k;
            }
        }
        assertTrue(longest >= 10, "no seed in 0..49 gives 10 tokens from 'abc': " + longest);
        long cancelledBefore = server.batcher().stats().cancelled();
        long stepsBefore = server.batcher().stats().steps();
        // 100 tokens would take 20 s: the server notices the reset at its next write, within one token normally; the
        // margin is for a starved test JVM (at 20-50 ms a token the batcher, mostly asleep, finished all 100 tokens
        // before the starved writer thread's first failed write, so nothing was left to cancel)
        lm.forwardDelayMillis = 200;
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
            // close with a reset, as a killed client does: the server's next write then fails at once, whatever the
            // socket buffers still accept (a plain FIN let a full run's writes succeed until the stream ended)
            socket.setSoLinger(true, 0);
            String body = "{\"prompt\":\"abc\",\"max_tokens\":100,\"seed\":" + seed + ",\"stream\":true}";
            socket.getOutputStream().write(("POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                    + "application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            java.io.InputStream in = socket.getInputStream();
            String seen = "";
            while (!seen.contains("data: ")) seen += (char) in.read(); // the stream has started
        } // the client goes away
        try {
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (server.batcher().stats().cancelled() == cancelledBefore && System.nanoTime() < deadline) Thread.sleep(10);
            assertEquals(cancelledBefore + 1, server.batcher().stats().cancelled(), "the request was cancelled");
            long steps = server.batcher().stats().steps() - stepsBefore;
            assertTrue(steps < longest - 2, "decoding stopped early: " + steps + " steps of " + longest);
        } finally {
            lm.forwardDelayMillis = 0;
        }
        assertEquals(200, call("POST", "/v1/completions", "{\"prompt\":\"a\",\"max_tokens\":3}").status());
    }
}

package dev.r1j.rollout;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1j.core.sampling.Completion;
import dev.r1j.core.sampling.CompletionGroup;
import dev.r1j.core.sampling.FinishReason;
import dev.r1j.core.sampling.SamplingParams;
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
        local = new LocalSampler(lm, TOK);
        server = OpenAiServer.start(local, TOK, "toy", 0);
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
        assertError(call("POST", "/v1/completions", "{\"prompt\":\"a\",\"stream\":true}"), 400, "stream");
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
}

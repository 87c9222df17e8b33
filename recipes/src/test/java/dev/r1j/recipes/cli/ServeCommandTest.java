package dev.r1j.recipes.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1j.core.Djl;
import dev.r1j.core.io.Checkpoint;
import dev.r1j.core.io.LoadedModel;
import dev.r1j.core.sampling.Completion;
import dev.r1j.core.sampling.CompletionGroup;
import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.rollout.LocalSampler;
import dev.r1j.rollout.RemoteSampler;
import java.io.IOException;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code recipe serve} started through the command line in a thread, on a free loopback port. */
class ServeCommandTest {
    static final Pattern URL = Pattern.compile("at (http://127\\.0\\.0\\.1:(\\d+))/v1");

    @Test
    void servesTheCheckpointLikeTheLocalSamplerAndStopsCleanly(@TempDir Path tmp) throws Exception {
        Path dir = TinyCheckpoint.write(tmp.resolve("tiny"), 21);
        CommandHarness cli = new CommandHarness();
        StringWriter out = cli.out;
        StringWriter err = cli.err;
        AtomicInteger exit = new AtomicInteger(-1);
        Thread serving = new Thread(() -> exit.set(cli.run("serve", "--model", dir.toString(), "--port", "0", "--name",
                "tiny")), "serve-under-test");
        serving.start();
        URI base = null;
        try {
            long deadline = System.nanoTime() + 60_000_000_000L;
            Matcher m;
            while (!(m = URL.matcher(out.toString())).find()) {
                assertTrue(serving.isAlive(), "serve exited early: " + err);
                assertTrue(System.nanoTime() < deadline, "no 'serving' line within 60 s: " + out + err);
                Thread.sleep(20);
            }
            base = URI.create(m.group(1));
            assertTrue(out.toString().startsWith("serving 'tiny' from " + dir + " at "), out.toString());

            List<String> prompts = List.of("abc", "hello", "12+7=");
            try (NDManager nd = Djl.newManager(); LoadedModel lm = Checkpoint.load(dir, nd);
                    RemoteSampler remote = new RemoteSampler(base, "tiny", null)) {
                LocalSampler local = new LocalSampler(lm.model(), lm.tokenizer());
                // greedy: each prompt alone through the server == LocalSampler
                List<CompletionGroup> got = remote.sample(prompts, SamplingParams.greedy(10));
                for (int i = 0; i < prompts.size(); i++) {
                    assertSameGroup(local.sample(List.of(prompts.get(i)), SamplingParams.greedy(10)).get(0), got.get(i));
                }
                // sampled: the server seeds prompt i with promptSeed(seed, i), so the draws are reproducible too
                SamplingParams p = new SamplingParams(3, 8, 1.0, 0.9, 0, List.of(), 99);
                got = remote.sample(prompts, p);
                for (int i = 0; i < prompts.size(); i++) {
                    SamplingParams pi = new SamplingParams(3, 8, 1.0, 0.9, 0, List.of(), RemoteSampler.promptSeed(99, i));
                    assertSameGroup(local.sample(List.of(prompts.get(i)), pi).get(0), got.get(i));
                }
            }

            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> bad = post(http, base, "{\"model\":\"tiny\",\"prompt\":\"a\",\"top_p\":5}");
            assertEquals(400, bad.statusCode());
            JsonNode error = new ObjectMapper().readTree(bad.body()).get("error");
            assertNotNull(error, bad.body());
            assertEquals("top_p", error.get("param").asText());
            assertEquals("invalid_request_error", error.get("type").asText());
            assertTrue(error.get("message").asText().contains("top_p"), bad.body());
            HttpResponse<String> ok = post(http, base, "{\"model\":\"tiny\",\"prompt\":\"a\",\"max_tokens\":3}");
            assertEquals(200, ok.statusCode(), "still serving after a bad request: " + ok.body());
            assertEquals(200, http.send(HttpRequest.newBuilder(base.resolve("/v1/models")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
        } finally {
            serving.interrupt();
            serving.join(30_000);
        }
        assertFalse(serving.isAlive(), "serve did not stop when interrupted");
        assertEquals(0, exit.get(), err.toString());
        assertEquals("", err.toString());
        int port = base.getPort();
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close(), "the port is released");
    }

    static long rssBytes() throws IOException {
        for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    @Test
    void oversizedRequestsAre400sAtOnceAndLeaveNoMemoryBehind(@TempDir Path tmp) throws Exception {
        Path dir = TinyCheckpoint.write(tmp.resolve("tiny"), 21);
        try (OpenAiNodeClientTest.Serving serving = OpenAiNodeClientTest.Serving.start(dir, "tiny",
                "--max-request-memory", "1m", "--max-memory", "8m")) {
            HttpClient http = HttpClient.newHttpClient();
            assertEquals(200, post(http, serving.base, "{\"prompt\":\"abc\",\"max_tokens\":20}").statusCode());
            long before = rssBytes();
            ObjectMapper json = new ObjectMapper();
            for (int i = 0; i < 3; i++) {
                long t0 = System.nanoTime();
                HttpResponse<String> huge = post(http, serving.base, "{\"prompt\":\"abc\",\"max_tokens\":1000000000}");
                HttpResponse<String> longPrompt = post(http, serving.base,
                        "{\"prompt\":\"" + "hello world ".repeat(8334).substring(0, 100_000) + "\",\"max_tokens\":5}");
                HttpResponse<String> budget = post(http, serving.base, "{\"prompt\":\"abc\",\"n\":64,\"max_tokens\":100}");
                double seconds = (System.nanoTime() - t0) / 1e9;
                assertEquals(400, huge.statusCode(), huge.body());
                JsonNode e = json.readTree(huge.body()).get("error");
                assertEquals("max_tokens", e.get("param").asText());
                assertEquals("context_length_exceeded", e.get("code").asText());
                assertTrue(e.get("message").asText().contains("maximum context length is 128 tokens"), huge.body());
                assertEquals(400, longPrompt.statusCode(), longPrompt.body());
                e = json.readTree(longPrompt.body()).get("error");
                assertEquals("prompt", e.get("param").asText());
                assertTrue(e.get("message").asText().contains("100001 tokens"), longPrompt.body());
                // 64 rows x 104 positions x 256 B of KV cache (tinyLlama: 2 layers x k,v x 2 heads x 8 x 4 B) = 1.6 MiB > 1 MiB
                assertEquals(400, budget.statusCode(), budget.body().substring(0, Math.min(300, budget.body().length())));
                e = json.readTree(budget.body()).get("error");
                assertEquals("memory_budget_exceeded", e.get("code").asText());
                assertTrue(e.get("message").asText().contains("per-request memory budget of 1 MiB"), budget.body());
                assertTrue(seconds < 10, "three refusals took " + seconds + " s (the unchecked request took 25 s)");
            }
            long grown = rssBytes() - before;
            assertTrue(grown < 200L << 20, "RSS grew by " + (grown >> 20) + " MiB over the refused requests");
            HttpResponse<String> ok = post(http, serving.base, "{\"prompt\":\"abc\",\"n\":8,\"max_tokens\":20}");
            assertEquals(200, ok.statusCode(), "a request within the budget is served: " + ok.body());
        }
    }

    @Test
    void badMemoryOptionsAreUsageErrors(@TempDir Path tmp) {
        CommandHarness cli = new CommandHarness();
        assertEquals(2, cli.run("serve", "--model", tmp.toString(), "--max-memory", "lots"));
        assertTrue(cli.err.toString().contains("--max-memory expects a size such as 512m or 2g, got 'lots'"),
                cli.err.toString());
        CommandHarness cli2 = new CommandHarness();
        assertEquals(2, cli2.run("serve", "--model", tmp.toString(), "--max-request-memory", "8g", "--max-memory", "4g"));
        assertTrue(cli2.err.toString().contains("must not exceed --max-memory"), cli2.err.toString());
    }

    @Test
    void aMissingModelIsOneLineAndExitCode1(@TempDir Path tmp) {
        CommandHarness cli = new CommandHarness();
        Path missing = tmp.resolve("none");
        assertEquals(1, cli.run("serve", "--model", missing.toString(), "--port", "0"));
        assertEquals("recipe serve: " + missing + ": checkpoint directory does not exist\n", cli.err.toString());
    }

    static HttpResponse<String> post(HttpClient http, URI base, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(base.resolve("/v1/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static void assertSameGroup(CompletionGroup want, CompletionGroup got) {
        assertArrayEquals(want.promptTokenIds(), got.promptTokenIds());
        assertEquals(want.completions().size(), got.completions().size());
        for (int j = 0; j < want.completions().size(); j++) {
            Completion a = want.completions().get(j), b = got.completions().get(j);
            assertArrayEquals(a.tokenIds(), b.tokenIds(), want.prompt() + " #" + j);
            // RemoteSampler sends the prompts concurrently and the server decodes them in one batch: the same
            // tokens, log-probs equal up to float rounding of the batched matmuls
            assertArrayEquals(a.logprobs(), b.logprobs(), 1e-4f);
            assertEquals(a.text(), b.text());
            assertEquals(a.finishReason(), b.finishReason());
        }
    }
}

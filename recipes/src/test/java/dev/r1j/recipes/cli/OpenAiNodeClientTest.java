package dev.r1j.recipes.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.r1j.core.tokenizer.CharTokenizer;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real client: the official {@code openai} npm package, pinned in {@code src/test/node/openai-client/package.json}
 * (and its lock file), runs {@code test.mjs} against two {@code recipe serve} processes' worth of servers (one on a
 * checkpoint with a chat template, one without). The package is installed with {@code npm ci} into that directory on
 * first use, its npm cache kept beside it, so later runs need no network. Skipped, saying so, when {@code node} is not
 * installed ({@code scripts/setup-machine} installs it).
 */
class OpenAiNodeClientTest {
    static final Path CLIENT = Path.of("src/test/node/openai-client").toAbsolutePath();

    @Test
    void theOfficialOpenAiSdkTalksToRecipeServe(@TempDir Path tmp) throws Exception {
        assumeTrue(onPath("node"), "node is not installed: the openai SDK client test is skipped "
                + "(scripts/setup-machine installs nodejs and npm)");
        installSdk();
        Path withTemplate = TinyCheckpoint.write(tmp.resolve("tiny"), 21);
        Path bare = TinyCheckpoint.write(tmp.resolve("bare"), 21, new CharTokenizer(TinyCheckpoint.ALPHABET, null));
        try (Serving a = Serving.start(withTemplate, "tiny"); Serving b = Serving.start(bare, "bare")) {
            ProcessBuilder pb = new ProcessBuilder("node", "test.mjs").directory(CLIENT.toFile()).redirectErrorStream(true);
            pb.environment().put("R1J_BASE_URL", a.base + "/v1");
            pb.environment().put("R1J_BARE_URL", b.base + "/v1");
            pb.environment().put("R1J_MODEL", "tiny");
            pb.environment().put("R1J_CONTEXT", "128"); // tinyLlama's max_position_embeddings
            Process node = pb.start();
            String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(node.waitFor(120, TimeUnit.SECONDS), "node did not finish: " + output);
            assertEquals(0, node.exitValue(), output);
            for (String check : List.of("models.retrieve", "completions with top logprobs", "completions streaming",
                    "token-id prompt", "chat with content parts", "chat streaming", "without a chat template",
                    "over the context length")) {
                assertTrue(output.lines().anyMatch(l -> l.startsWith("ok - ") && l.contains(check)), check + ": " + output);
            }
            assertTrue(output.contains("all passed"), output);
        }
    }

    /** {@code npm ci} of the pinned package into the client's directory, unless it is there already. */
    static void installSdk() throws IOException, InterruptedException {
        Path installed = CLIENT.resolve("node_modules/openai/package.json");
        if (Files.exists(installed) && Files.readString(installed).contains("\"version\": \"6.30.1\"")) return;
        List<String> cmd = new ArrayList<>(List.of("npm", "ci", "--no-audit", "--no-fund", "--prefer-offline",
                "--cache", CLIENT.resolve(".npm-cache").toString()));
        Process npm = new ProcessBuilder(cmd).directory(CLIENT.toFile()).redirectErrorStream(true).start();
        String output = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(npm.waitFor(300, TimeUnit.SECONDS), "npm ci did not finish: " + output);
        assertEquals(0, npm.exitValue(), "npm ci of the pinned openai package failed (needs the npm registry once): "
                + output);
    }

    static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) return true;
        }
        return false;
    }

    /** {@code recipe serve} in a thread on a free port; closing interrupts it and checks it exited 0. */
    static final class Serving implements AutoCloseable {
        final Thread thread;
        final AtomicInteger exit = new AtomicInteger(-1);
        final CommandHarness cli = new CommandHarness();
        URI base;

        private Serving(Path dir, String name, String... options) {
            List<String> args = new ArrayList<>(List.of("serve", "--model", dir.toString(), "--port", "0", "--name", name));
            args.addAll(List.of(options));
            thread = new Thread(() -> exit.set(cli.run(args.toArray(String[]::new))), "serve-" + name);
        }

        static Serving start(Path dir, String name, String... options) throws InterruptedException {
            Serving s = new Serving(dir, name, options);
            s.thread.start();
            long deadline = System.nanoTime() + 60_000_000_000L;
            Matcher m;
            while (!(m = ServeCommandTest.URL.matcher(s.cli.out.toString())).find()) {
                assertTrue(s.thread.isAlive(), "serve exited early: " + s.cli.err);
                assertTrue(System.nanoTime() < deadline, "no 'serving' line within 60 s: " + s.cli.out + s.cli.err);
                Thread.sleep(20);
            }
            s.base = URI.create(m.group(1));
            return s;
        }

        @Override
        public void close() throws InterruptedException {
            thread.interrupt();
            thread.join(30_000);
            assertEquals(0, exit.get(), cli.err.toString());
        }
    }
}

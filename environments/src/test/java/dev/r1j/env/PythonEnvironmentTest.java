package dev.r1j.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.r1j.verifiers.code.CodeVerifierOptions;
import dev.r1j.verifiers.sandbox.BubblewrapConfig;
import dev.r1j.verifiers.sandbox.BubblewrapSandbox;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The python tool in the real bubblewrap sandbox. */
class PythonEnvironmentTest {

    private static ToolRunner.Outcome run(ToolRunner r, String code) {
        String turn = "```python\n" + code + "\n```";
        return r.submit(Conversation.start("p"), turn).join();
    }

    @Test
    void runsCodeAndShowsTracebacks() {
        try (ToolRunner r = ToolRunner.create(EnvironmentConfig.of("python"))) {
            assertEquals(new ToolRunner.Outcome("python", "1267650600228229401496703205376\n", Observation.Status.OK, 0,
                    false), run(r, "print(2**100)"));
            ToolRunner.Outcome err = run(r, "print('before')\nraise ValueError('bad')");
            assertTrue(err.isError());
            assertTrue(err.output().startsWith("before\n"), err.output());
            assertTrue(err.output().endsWith("ValueError: bad"), err.output());
        }
    }

    @Test
    void noNetworkAndAHangIsCut() {
        // the network probe gets a generous timeout: on a loaded machine starting python in a fresh namespace can take
        // seconds, and a timeout there would hide whether the connection was refused
        try (ToolRunner r = ToolRunner.create(EnvironmentConfig.of("python").withTimeoutS(30.0))) {
            ToolRunner.Outcome net = run(r, "import socket\nsocket.create_connection(('127.0.0.1', 22), timeout=1)");
            assertTrue(net.isError(), net.toString());
        }
        try (ToolRunner r = ToolRunner.create(EnvironmentConfig.of("python").withTimeoutS(1.0))) {
            long t0 = System.nanoTime();
            ToolRunner.Outcome hang = run(r, "while True: pass");
            double s = (System.nanoTime() - t0) / 1e9;
            assertTrue(hang.isTimeout(), hang.toString());
            // bounded against the failure (a loop that is never cut), not an idle machine's timing
            assertTrue(s < 30, "cut near the 1 s timeout, took " + s);
        }
    }

    @Test
    void failsClosedWithoutTheSandbox() {
        PythonEnvironment env = new PythonEnvironment(
                new BubblewrapSandbox(BubblewrapConfig.defaults().withBwrap(Path.of("/nonexistent/bwrap"))),
                CodeVerifierOptions.defaults());
        Observation o = env.respond(new ToolCall("python", Map.of("code", "print(1)")), Conversation.start(""));
        assertTrue(o.isError());
        assertTrue(o.text().startsWith("Error: sandbox unavailable, the code did not run"), o.text());
    }
}

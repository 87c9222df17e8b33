package dev.r1j.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ToolRunnerTest {

    private static ToolRunner.Outcome answer(ToolRunner r, String turn) {
        return r.submit(Conversation.start("p").with(Conversation.Message.assistant(turn)), turn).join();
    }

    @Test
    void answersCallsAndReportsFaultsAsObservations() {
        try (ToolRunner r = ToolRunner.create(EnvironmentConfig.of("calculator"))) {
            ToolRunner.Outcome ok = answer(r, "```calculator\n47*85\n```");
            assertEquals(new ToolRunner.Outcome("calculator", "3995", Observation.Status.OK, 0, false), ok);

            ToolRunner.Outcome unknown = answer(r, "```python\nprint(1)\n```");
            assertTrue(unknown.isError());
            assertEquals("Error: unknown tool 'python'; known tools: calculator", unknown.output());

            ToolRunner.Outcome wrong = answer(r, "```calculator\n1/0\n```");
            assertTrue(wrong.isError());
            assertTrue(wrong.output().startsWith("Error: division by zero"), wrong.output());
        }
        try (ToolRunner r = ToolRunner.create(EnvironmentConfig.of("calculator").withFormat(ToolCallFormat.HERMES))) {
            ToolRunner.Outcome malformed = answer(r, "<tool_call>{name: calculator}</tool_call>");
            assertTrue(malformed.isError());
            assertNull(malformed.tool());
            assertTrue(malformed.output().startsWith("Error: malformed tool call"), malformed.output());
        }
    }

    @Test
    void outputIsBounded() {
        try (ToolRunner r = ToolRunner.create(EnvironmentConfig.of("calculator").withMaxOutputChars(10))) {
            ToolRunner.Outcome o = answer(r, "```calculator\n10^30\n```");
            assertEquals("1000000000\n... [21 more characters cut]", o.output());
        }
    }

    /** An environment that never answers until interrupted: the hang is cut at the timeout and the worker stopped. */
    @Test
    void aHangIsCutAtTheTimeoutAndReported() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        Environment hang = new Environment() {
            public List<String> tools() {
                return List.of("sleep");
            }

            public Observation respond(ToolCall call, Conversation c) {
                started.countDown();
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    interrupted.set(true);
                }
                return Observation.of("late");
            }
        };
        try (ToolRunner r = new ToolRunner(hang, EnvironmentConfig.of("calculator").withTimeoutS(0.3))) {
            long t0 = System.nanoTime();
            CompletableFuture<ToolRunner.Outcome> f = r.submit(Conversation.start("p"), "```sleep\n1\n```");
            ToolRunner.Outcome o = f.get(10, TimeUnit.SECONDS);
            double s = (System.nanoTime() - t0) / 1e9;
            assertTrue(o.isTimeout());
            assertEquals("Error: tool 'sleep' timed out after 0.3 s", o.output());
            assertTrue(s >= 0.29 && s < 5, "cut at about 0.3 s, took " + s);
            assertTrue(started.await(1, TimeUnit.SECONDS));
            for (int i = 0; i < 100 && !interrupted.get(); i++) Thread.sleep(10);
            assertTrue(interrupted.get(), "the worker was interrupted");
        }
    }

    @Test
    void callsOfDifferentRowsRunInParallel() throws Exception {
        CountDownLatch both = new CountDownLatch(2);
        Environment meet = new Environment() {
            public List<String> tools() {
                return List.of("meet");
            }

            public Observation respond(ToolCall call, Conversation c) {
                both.countDown();
                try {
                    // returns only when the other call is running at the same time
                    return Observation.of(both.await(5, TimeUnit.SECONDS) ? "met" : "alone");
                } catch (InterruptedException e) {
                    return Observation.of("interrupted");
                }
            }
        };
        try (ToolRunner r = new ToolRunner(meet, EnvironmentConfig.of("calculator").withTimeoutS(10))) {
            CompletableFuture<ToolRunner.Outcome> a = r.submit(Conversation.start("a"), "```meet\n\n```");
            CompletableFuture<ToolRunner.Outcome> b = r.submit(Conversation.start("b"), "```meet\n\n```");
            assertEquals("met", a.get(10, TimeUnit.SECONDS).output());
            assertEquals("met", b.get(10, TimeUnit.SECONDS).output());
        }
    }

    @Test
    void unknownEnvironmentListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EnvironmentConfig.of("calculater"));
        assertEquals("name: unknown environment 'calculater' (did you mean 'calculator'?); known environments: "
                + "calculator, python", e.getMessage());
        assertEquals(List.of("calculator", "python"), EnvironmentRegistry.defaultRegistry().names());
        assertThrows(IllegalArgumentException.class, () -> EnvironmentConfig.of("calculator").withMaxTurns(0));
        assertThrows(IllegalArgumentException.class, () -> EnvironmentConfig.of("calculator").withTimeoutS(0));
        IllegalArgumentException opt = assertThrows(IllegalArgumentException.class,
                () -> EnvironmentRegistry.defaultRegistry().create(EnvironmentConfig.of("python").withOptions(
                        java.util.Map.of("memroy_mb", 5))));
        assertTrue(opt.getMessage().contains("'memroy_mb'"), opt.getMessage());
    }
}

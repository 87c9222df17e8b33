package dev.r1j.env;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The turn logic every sampler shares, around an {@link Environment}: finds where a model turn's call ends, parses
 * it (a malformed call is an error observation the model sees, not a crash), rejects a tool the environment does
 * not have (an error listing the ones it has), runs the call on a worker thread cut at {@code timeout_s} (a hang is
 * reported as a timeout and the worker interrupted), and bounds the output to {@code max_output_chars}. Calls of
 * different rows run in parallel. Thread-safe.
 *
 * <pre>{@code
 * try (ToolRunner tools = ToolRunner.create(EnvironmentConfig.of("calculator"))) {
 *     String turn = "```calculator\n47*85\n```";
 *     ToolRunner.Outcome o = tools.submit(Conversation.start("47*85=").with(Conversation.Message.assistant(turn)), turn).join();
 *     String appended = tools.config().format().observation(turn, o.output());   // "\n```output\n3995\n```\n"
 * }
 * }</pre>
 */
public final class ToolRunner implements AutoCloseable {
    private static final AtomicInteger THREADS = new AtomicInteger();

    /**
     * What one call came to: the tool's name (null when the call could not be parsed), its bounded output (an
     * {@code Error: ...} text for errors and timeouts), how it went, the reward it adds and whether the episode ends.
     */
    public record Outcome(String tool, String output, Observation.Status status, double reward, boolean done) {
        public boolean isError() {
            return status == Observation.Status.ERROR;
        }

        public boolean isTimeout() {
            return status == Observation.Status.TIMEOUT;
        }
    }

    private final Environment environment;
    private final EnvironmentConfig config;
    private final List<String> tools;
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> daemon(r, "tool-call-"));
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "tool-timer-"));

    public ToolRunner(Environment environment, EnvironmentConfig config) {
        this.environment = environment;
        this.config = config;
        this.tools = List.copyOf(environment.tools());
    }

    /** A runner over the environment {@code config.name()} names, found in the {@link EnvironmentRegistry}. */
    public static ToolRunner create(EnvironmentConfig config) {
        return new ToolRunner(EnvironmentRegistry.defaultRegistry().create(config), config);
    }

    public EnvironmentConfig config() {
        return config;
    }

    public Environment environment() {
        return environment;
    }

    /** The index just after the first completed call in the model turn {@code turn}, or -1 while there is none. */
    public int callEnd(String turn) {
        return config.format().callEnd(turn);
    }

    /**
     * Answers the call that ends {@code turn} (the model's turn text, cut at {@link #callEnd}); {@code conversation}
     * is the episode so far with that turn as its last message. The future never fails: every fault is an outcome.
     */
    public CompletableFuture<Outcome> submit(Conversation conversation, String turn) {
        ToolCallFormat.Parsed parsed = config.format().parse(turn);
        if (parsed.error() != null) return CompletableFuture.completedFuture(error(null, parsed.error()));
        ToolCall call = parsed.call();
        if (!tools.contains(call.name())) {
            return CompletableFuture.completedFuture(error(call.name(), "unknown tool '" + call.name()
                    + "'; known tools: " + String.join(", ", tools)));
        }
        CompletableFuture<Outcome> out = new CompletableFuture<>();
        AtomicReference<Thread> worker = new AtomicReference<>();
        workers.execute(() -> {
            worker.set(Thread.currentThread());
            try {
                Observation o = environment.respond(call, conversation);
                out.complete(new Outcome(call.name(), bound(o.text()), o.status(), o.reward(), o.done()));
            } catch (RuntimeException | Error e) {
                out.complete(error(call.name(), "tool '" + call.name() + "' failed: " + e.getMessage()));
            } finally {
                worker.set(null);
                Thread.interrupted(); // a late timeout's interrupt must not leak into the pool's next task
            }
        });
        timer.schedule(() -> {
            String msg = "Error: tool '" + call.name() + "' timed out after " + config.timeoutS() + " s";
            if (out.complete(new Outcome(call.name(), msg, Observation.Status.TIMEOUT, 0, false))) {
                Thread t = worker.get();
                if (t != null) t.interrupt();
            }
        }, config.timeout().toMillis(), TimeUnit.MILLISECONDS);
        return out;
    }

    private Outcome error(String tool, String message) {
        return new Outcome(tool, bound("Error: " + message), Observation.Status.ERROR, 0, false);
    }

    /** The output cut to {@code max_output_chars}, with a note of how much was cut. */
    String bound(String text) {
        int max = config.maxOutputChars();
        if (text.length() <= max) return text;
        return text.substring(0, max) + "\n... [" + (text.length() - max) + " more characters cut]";
    }

    private static Thread daemon(Runnable r, String prefix) {
        Thread t = new Thread(r, prefix + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
    }

    /** Stops the worker threads and closes the environment. */
    @Override
    public void close() {
        workers.shutdownNow();
        timer.shutdownNow();
        environment.close();
    }
}

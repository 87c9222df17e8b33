package dev.r1j.recipes.cli;

import dev.r1j.rollout.ContinuousBatcher;
import dev.r1j.rollout.LocalSampler;
import dev.r1j.rollout.server.OpenAiServer;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code recipe serve --model DIR [--port P] [--name NAME] [--max-request-memory SIZE] [--max-memory SIZE]}: an
 * OpenAI-compatible server on {@code 127.0.0.1} ({@link OpenAiServer}: {@code /v1/completions},
 * {@code /v1/chat/completions}, {@code /v1/models}, streaming) whose concurrent requests decode together
 * ({@link ContinuousBatcher} over {@link LocalSampler}). It is what {@code RemoteSampler} talks to in tests, and a way to try a checkpoint with any
 * OpenAI client. It serves until the process is stopped (Ctrl-C) or, embedded, until its thread is interrupted;
 * either way the port is released and the model freed.
 */
@Command(name = "serve", description = {
        "Serves a model over an OpenAI-compatible HTTP API on 127.0.0.1 (localhost only):",
        "POST /v1/completions, POST /v1/chat/completions (both with stream), GET /v1/models[/ID].",
        "Concurrent requests decode together. Stops on Ctrl-C."})
final class ServeCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOption model;

    @Option(names = "--port", paramLabel = "P", description = "TCP port on 127.0.0.1; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port = 8000;

    @Option(names = "--name", paramLabel = "NAME",
            description = "The model id clients send and /v1/models lists (default: the directory's name).")
    String name;

    @Option(names = "--max-request-memory", paramLabel = "SIZE",
            description = "Estimated memory one request may take (KV cache for prompt + max_tokens, prefill, logits);"
                    + " a larger request gets a 400. Bytes, or with a k/m/g suffix (default: ${DEFAULT-VALUE}).")
    String maxRequestMemory = "1g";

    @Option(names = "--max-memory", paramLabel = "SIZE",
            description = "Estimated memory all requests being decoded may take together; more requests wait their"
                    + " turn (default: ${DEFAULT-VALUE}).")
    String maxMemory = "4g";

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--port must be in [0, 65535], got " + port);
        }
        long perRequest = size("--max-request-memory", maxRequestMemory);
        long total = size("--max-memory", maxMemory);
        if (perRequest > total) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--max-request-memory (" + maxRequestMemory
                    + ") must not exceed --max-memory (" + maxMemory + ")");
        }
        ContinuousBatcher.Limits limits = new ContinuousBatcher.Limits(perRequest, total);
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch freed = new CountDownLatch(1);
        // Ctrl-C: the hook wakes this thread and waits for it to close the server and free the model.
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                freed.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "recipe-serve-shutdown");
        boolean interrupted = false;
        try (OpenedModel m = model.open()) {
            String served = name != null ? name : m.name();
            try (OpenAiServer server = OpenAiServer.start(new LocalSampler(m.model(), m.tokenizer()), served, port,
                    limits)) {
                Runtime.getRuntime().addShutdownHook(hook);
                main.out().println("serving '" + served + "' from " + m.dir() + " at " + server.baseUri()
                        + "/v1 (Ctrl-C stops)");
                main.out().flush();
                try {
                    stop.await();
                } catch (InterruptedException e) {
                    interrupted = true; // embedded use: interrupting the serving thread stops the server
                }
            } // closing waits for requests in flight, so the model is not freed under them
        } finally {
            freed.countDown();
            removeHook(hook);
            if (interrupted) Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** {@code 512m}, {@code 2g}, {@code 1048576}: a positive size in bytes. */
    private long size(String option, String value) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)\\s*(\\d+)\\s*([kmg]?)b?\\s*").matcher(value);
        if (!m.matches()) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + " expects a size such as 512m or 2g, got '"
                    + value + "'");
        }
        int shift = switch (m.group(2).toLowerCase(java.util.Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            default -> 0;
        };
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n <= 0 || n > (Long.MAX_VALUE >> shift)) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + " must be a positive size, got '"
                    + value + "'");
        }
        return n << shift;
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook is running or ran
        }
    }
}

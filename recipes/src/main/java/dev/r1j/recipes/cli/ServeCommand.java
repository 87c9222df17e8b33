package dev.r1j.recipes.cli;

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
 * {@code recipe serve --model DIR [--port P] [--name NAME]}: an OpenAI-compatible server on {@code 127.0.0.1}
 * ({@link OpenAiServer}: {@code /v1/completions}, {@code /v1/chat/completions}, {@code /v1/models}) generating with
 * {@link LocalSampler}. It is what {@code RemoteSampler} talks to in tests, and a way to try a checkpoint with any
 * OpenAI client. It serves until the process is stopped (Ctrl-C) or, embedded, until its thread is interrupted;
 * either way the port is released and the model freed.
 */
@Command(name = "serve", description = {
        "Serves a model over an OpenAI-compatible HTTP API on 127.0.0.1 (localhost only):",
        "POST /v1/completions, POST /v1/chat/completions, GET /v1/models. Stops on Ctrl-C."})
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

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--port must be in [0, 65535], got " + port);
        }
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
            try (OpenAiServer server = OpenAiServer.start(new LocalSampler(m.model(), m.tokenizer()), m.tokenizer(),
                    served, port)) {
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

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook is running or ran
        }
    }
}

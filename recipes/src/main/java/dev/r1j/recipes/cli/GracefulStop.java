package dev.r1j.recipes.cli;

import dev.r1j.core.train.StopRequest;
import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Makes SIGTERM and Ctrl-C stop {@code recipe run} cleanly: the JVM runs shutdown hooks on both, and this one sets
 * the {@link StopRequest} every training loop checks after each step, then holds the JVM up (at most
 * {@value #DEFAULT_GRACE_S} s, or {@code R1J_STOP_GRACE_S}) while the loop writes its checkpoint and the run says
 * where to resume. Without it the process exits 143 mid-step, silently, losing the steps since the last checkpoint.
 *
 * <pre>{@code
 * GracefulStop stop = GracefulStop.install(err);
 * try { runner.run(recipe, mode); } finally { stop.close(); }
 * }</pre>
 */
final class GracefulStop implements AutoCloseable {
    static final int DEFAULT_GRACE_S = 120;
    static final String GRACE_ENV = "R1J_STOP_GRACE_S";

    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;

    private GracefulStop(PrintWriter err, int graceSeconds) {
        this.hook = new Thread(() -> onSignal(err, graceSeconds), "r1j-graceful-stop");
    }

    /** Registers the hook; a stop request left from an earlier run in this JVM is withdrawn. */
    static GracefulStop install(PrintWriter err) {
        StopRequest.clear();
        GracefulStop stop = new GracefulStop(err, graceSeconds(System.getenv(GRACE_ENV)));
        Runtime.getRuntime().addShutdownHook(stop.hook);
        return stop;
    }

    static int graceSeconds(String env) {
        if (env == null || env.isBlank()) return DEFAULT_GRACE_S;
        try {
            int s = Integer.parseInt(env.trim());
            if (s >= 0) return s;
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw new IllegalArgumentException(GRACE_ENV + " must be a whole number of seconds >= 0, got '" + env + "'");
    }

    private void onSignal(PrintWriter err, int graceSeconds) {
        if (finished.getCount() == 0) return; // a normal exit after the run: nothing to stop
        StopRequest.request("stopped by a signal (SIGTERM or Ctrl-C)");
        err.println();
        err.println("recipe run: stop requested: finishing the current step, then writing a checkpoint (waiting at most "
                + graceSeconds + " s; " + GRACE_ENV + " sets it)");
        err.flush();
        try {
            if (!finished.await(graceSeconds, TimeUnit.SECONDS)) {
                err.println("recipe run: no step boundary within " + graceSeconds + " s; exiting without a new "
                        + "checkpoint: the last one stands, continue with --resume");
                err.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The run is over (finished, failed or stopped and reported): a pending signal may now end the JVM. */
    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running: it returns now that the run is over
        }
    }
}

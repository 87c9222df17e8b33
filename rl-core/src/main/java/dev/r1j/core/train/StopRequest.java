package dev.r1j.core.train;

/**
 * A request to stop training at the next step boundary, process-wide because the signals that make it (SIGTERM,
 * Ctrl-C) are. The recipe runner's shutdown hook sets it; every trainer loop ({@code SftTrainer},
 * {@code PreferenceTrainer}, the GRPO stage) calls {@link #stopIfRequested} after each step, which writes a
 * checkpoint there (when the loop keeps checkpoints and the step has none yet) and throws {@link TrainingStopped}.
 * A stop between steps loses nothing: the resumed run goes on from that step as if never interrupted.
 *
 * <pre>{@code
 * while (stepsDone < total) {
 *     step();
 *     StopRequest.stopIfRequested(stepsDone, () -> saveCheckpoint(dir));
 * }
 * }</pre>
 */
public final class StopRequest {
    private static volatile String reason;

    private StopRequest() {}

    /** Asks every training loop to stop at its next step boundary; {@code why} ends up in the stop message. */
    public static void request(String why) {
        reason = why == null ? "stop requested" : why;
    }

    public static boolean requested() {
        return reason != null;
    }

    /** Withdraws a request (a process that goes on training after handling one, and tests). */
    public static void clear() {
        reason = null;
    }

    /**
     * When a stop was requested: runs {@code checkpoint} (null: none to write) and throws {@link TrainingStopped}
     * at {@code stepsDone}. Otherwise does nothing.
     */
    public static void stopIfRequested(int stepsDone, Runnable checkpoint) {
        String why = reason;
        if (why == null) return;
        if (checkpoint != null) checkpoint.run();
        throw new TrainingStopped(stepsDone, checkpoint != null, why);
    }
}

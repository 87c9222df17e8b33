package dev.r1j.recipes.run;

/**
 * The run stopped cleanly on a stop request (SIGTERM, Ctrl-C) at a step boundary of a stage; the message names the
 * stage and the step, says whether a checkpoint was written, and how to continue.
 */
public final class RunStoppedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RunStoppedException(String message, Throwable cause) {
        super(message, cause);
    }
}

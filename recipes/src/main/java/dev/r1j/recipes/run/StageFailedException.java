package dev.r1j.recipes.run;

/** A stage threw: the message says which stage, and the cause's message says why. */
public final class StageFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StageFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}

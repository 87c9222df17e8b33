package dev.r1j.recipes.cli;

/** A command-line error whose message is the whole story (shown without a stack trace). */
public final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CliException(String message) {
        super(message);
    }

    public CliException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.r1j.core.io;

/**
 * A checkpoint file or directory that cannot be read as what it claims to be: the message names the file (and the
 * tensor or field) and says what was expected.
 */
public class CheckpointFormatException extends RuntimeException {
    public CheckpointFormatException(String message) {
        super(message);
    }

    public CheckpointFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.r1j.verifiers.sandbox;

/** The sandbox could not be set up or started; callers must treat this as an error, never as a pass. */
public class SandboxException extends RuntimeException {
    public SandboxException(String message) {
        super(message);
    }

    public SandboxException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.r1j.rollout.server;

/**
 * A request the server refuses, rendered in OpenAI's error shape
 * {@code {"error": {"message", "type", "param", "code"}}} with an HTTP status.
 */
final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    final String type;
    final String param;
    final String code;

    ApiException(int status, String type, String message, String param, String code) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    /** 400 invalid_request_error about one field. */
    static ApiException invalid(String param, String message) {
        return new ApiException(400, "invalid_request_error", message, param, null);
    }
}

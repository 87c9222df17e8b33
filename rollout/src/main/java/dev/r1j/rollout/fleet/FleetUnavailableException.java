package dev.r1j.rollout.fleet;

/**
 * The rollout fleet cannot do the work: no server could take requests for {@code timeout_s}, a group failed on
 * every server, or no server loaded the weights. The message names every server involved and its last answer. A
 * stage stops on it with a checkpoint of the step before (nothing sampled is half-used).
 */
public class FleetUnavailableException extends IllegalStateException {
    public FleetUnavailableException(String message) {
        super(message);
    }
}

package dev.r1j.core.grpo;

/**
 * The loss or the gradient norm of a step was NaN or infinite. Thrown before the optimizer touches the parameters,
 * so the model is still the one of the previous step (and the last checkpoint is intact).
 */
public final class NonFiniteLossException extends IllegalStateException {
    private final int step;

    public NonFiniteLossException(int step, String what, double value) {
        super("GRPO step " + step + ": " + what + " is " + value
                + "; stopping before the optimizer step, the parameters are those of step " + (step - 1)
                + " (lower learning_rate or max_grad_norm, or check the rewards)");
        this.step = step;
    }

    public int step() {
        return step;
    }
}

package dev.r1j.rollout;

/** A request refused because its estimated memory is over a {@link ContinuousBatcher.Limits} budget. */
public final class BudgetExceededException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final long estimatedBytes;
    private final long budgetBytes;

    public BudgetExceededException(String message, long estimatedBytes, long budgetBytes) {
        super(message);
        this.estimatedBytes = estimatedBytes;
        this.budgetBytes = budgetBytes;
    }

    public long estimatedBytes() {
        return estimatedBytes;
    }

    public long budgetBytes() {
        return budgetBytes;
    }
}

package dev.r1j.verifiers.math;

/**
 * A time and work budget for one comparison. Parsing and evaluation call {@link #step()} in their loops, so no
 * input (hostile or just large) can keep a verifier thread busy beyond the deadline.
 */
final class Budget {
    /** Thrown when the budget is spent; carries no stack trace (it is control flow, not a bug). */
    static final class Exceeded extends RuntimeException {
        Exceeded(String what) {
            super(what, null, false, false);
        }
    }

    private final long deadlineNanos;
    private long steps;
    private final long maxSteps;

    Budget(long millis, long maxSteps) {
        this.deadlineNanos = System.nanoTime() + millis * 1_000_000L;
        this.maxSteps = maxSteps;
    }

    static Budget unlimitedForTests() {
        return new Budget(3_600_000L, Long.MAX_VALUE);
    }

    void step() {
        steps++;
        if (steps > maxSteps) {
            throw new Exceeded("work budget of " + maxSteps + " steps exceeded");
        }
        if ((steps & 0xFF) == 0) {
            checkTime();
        }
    }

    void checkTime() {
        if (System.nanoTime() - deadlineNanos > 0) {
            throw new Exceeded("time budget exceeded");
        }
    }
}

package dev.r1j.verifiers;

/**
 * A {@link CharSequence} view that throws {@link DeadlineExceededException} once a deadline has passed. Java's
 * regex engine reads its input only through {@code charAt}, so wrapping the input bounds the time any pattern
 * (including a catastrophically backtracking one from a recipe) can spend on it.
 *
 * <pre>{@code
 * CharSequence in = DeadlineCharSequence.withBudget(text, 100);   // 100 ms
 * try { boolean ok = pattern.matcher(in).matches(); }
 * catch (DeadlineCharSequence.DeadlineExceededException e) { ... }
 * }</pre>
 */
public final class DeadlineCharSequence implements CharSequence {
    /** Thrown from {@code charAt} when the time budget is spent. */
    public static final class DeadlineExceededException extends RuntimeException {
        public DeadlineExceededException() {
            super("time budget exceeded", null, false, false);
        }
    }

    private final CharSequence inner;
    private final long deadlineNanos;
    private int calls;

    private DeadlineCharSequence(CharSequence inner, long deadlineNanos) {
        this.inner = inner;
        this.deadlineNanos = deadlineNanos;
    }

    public static DeadlineCharSequence withBudget(CharSequence s, long budgetMillis) {
        return new DeadlineCharSequence(s, System.nanoTime() + budgetMillis * 1_000_000L);
    }

    @Override
    public char charAt(int index) {
        // nanoTime is cheap but not free; checking every 4096 reads keeps overhead negligible.
        if ((++calls & 0xFFF) == 0 && System.nanoTime() - deadlineNanos > 0) {
            throw new DeadlineExceededException();
        }
        return inner.charAt(index);
    }

    @Override
    public int length() {
        return inner.length();
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        return new DeadlineCharSequence(inner.subSequence(start, end), deadlineNanos);
    }

    @Override
    public String toString() {
        return inner.toString();
    }
}

package dev.r1j.core.data;

import java.util.Random;

/**
 * Walks the indices {@code 0..size-1} epoch after epoch, each epoch in its own seeded shuffled order, and can
 * be saved and restored exactly: the order of epoch {@code e} depends only on {@code (seed, e)}, so the
 * position {@code (epoch, offset)} is the whole state.
 *
 * <pre>{@code
 * EpochCursor c = new EpochCursor(1000, 42L, true);
 * int[] batch = c.next(32);
 * EpochCursor.Position saved = c.position();   // store in trainer_state.json
 * ...
 * EpochCursor resumed = new EpochCursor(1000, 42L, true);
 * resumed.seek(saved);                          // continues with the same indices
 * }</pre>
 */
public final class EpochCursor {

    /** Where the cursor stands: the next index returned is entry {@code offset} of epoch {@code epoch}'s order. */
    public record Position(long epoch, int offset) {
        public Position {
            if (epoch < 0 || offset < 0) {
                throw new IllegalArgumentException("position must be non-negative, got epoch " + epoch + ", offset " + offset);
            }
        }
    }

    private final int size;
    private final long seed;
    private final boolean shuffle;
    private long epoch;
    private int offset;
    private int[] order;

    /** A cursor over {@code size} items ({@code size >= 1}); {@code shuffle=false} walks them in file order. */
    public EpochCursor(int size, long seed, boolean shuffle) {
        if (size < 1) throw new IllegalArgumentException("cannot iterate over an empty dataset");
        this.size = size;
        this.seed = seed;
        this.shuffle = shuffle;
        this.order = orderOf(0);
    }

    /** The next index, moving into the next epoch (with a fresh order) when this one is used up. */
    public int next() {
        if (offset == size) {
            epoch++;
            offset = 0;
            order = orderOf(epoch);
        }
        return order[offset++];
    }

    /** The next {@code n} indices (a batch may straddle two epochs). */
    public int[] next(int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = next();
        return out;
    }

    public Position position() {
        // normalise "end of epoch e" to "start of epoch e+1" so equal states compare equal
        return offset == size ? new Position(epoch + 1, 0) : new Position(epoch, offset);
    }

    /** Moves to {@code p} (from {@link #position()} of a cursor with the same size, seed and shuffle flag). */
    public void seek(Position p) {
        if (p.offset() > size) {
            throw new IllegalArgumentException("offset " + p.offset() + " is beyond the dataset size " + size);
        }
        epoch = p.epoch();
        offset = p.offset();
        order = orderOf(epoch);
    }

    /** Completed epochs plus the fraction of the current one, for progress displays. */
    public double epochProgress() {
        return epoch + offset / (double) size;
    }

    public int size() {
        return size;
    }

    private int[] orderOf(long e) {
        int[] o = new int[size];
        for (int i = 0; i < size; i++) o[i] = i;
        if (!shuffle) return o;
        // one independent stream per epoch: (seed, epoch) -> order, nothing carried over
        Random rng = new Random(seed * 0x9E3779B97F4A7C15L + e * 0xD1B54A32D192ED03L + 0x5DEECE66DL);
        for (int i = size - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = o[i];
            o[i] = o[j];
            o[j] = t;
        }
        return o;
    }
}

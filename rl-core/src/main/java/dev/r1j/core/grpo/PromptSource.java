package dev.r1j.core.grpo;

import dev.r1j.core.data.EpochCursor;
import dev.r1j.core.sampling.Prompt;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * An endless, reproducible stream of prompts: epochs over a fixed list, each in an order shuffled by
 * {@code seed + epoch}. The position (prompts handed out so far) is all a checkpoint needs to resume it.
 *
 * <pre>{@code
 * PromptSource src = new PromptSource(prompts, 42L);
 * List<Prompt> batch = src.next(8);
 * long pos = src.position();           // save ...
 * src.seek(pos);                        // ... and restore
 * }</pre>
 */
public final class PromptSource {
    private final List<Prompt> prompts;
    private final long seed;
    private long position;
    private long epoch = -1;
    private List<Integer> order = List.of();

    public PromptSource(List<Prompt> prompts, long seed) {
        if (prompts.isEmpty()) throw new IllegalArgumentException("the prompt dataset is empty");
        this.prompts = List.copyOf(prompts);
        this.seed = seed;
    }

    /** The next {@code n} prompts, crossing epoch boundaries as needed. */
    public List<Prompt> next(int n) {
        List<Prompt> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long e = position / prompts.size();
            if (e != epoch) {
                List<Integer> idx = new ArrayList<>();
                for (int j = 0; j < prompts.size(); j++) idx.add(j);
                Collections.shuffle(idx, new Random(seed + e));
                order = idx;
                epoch = e;
            }
            out.add(prompts.get(order.get((int) (position % prompts.size()))));
            position++;
        }
        return out;
    }

    public long position() {
        return position;
    }

    public void seek(long position) {
        if (position < 0) throw new IllegalArgumentException("data position must be >= 0, got " + position);
        this.position = position;
    }

    /** The position as an epoch and an offset in it (what {@code trainer_state.json} records). */
    public EpochCursor.Position cursor() {
        return new EpochCursor.Position(position / prompts.size(), (int) (position % prompts.size()));
    }

    /** {@link #cursor()} at another position, e.g. {@code GrpoTrainer.resumePosition()}. */
    public EpochCursor.Position cursorAt(long position) {
        return new EpochCursor.Position(position / prompts.size(), (int) (position % prompts.size()));
    }

    /** Continues from a position returned by {@link #cursor()} on the same prompts. */
    public void seek(EpochCursor.Position p) {
        seek(p.epoch() * prompts.size() + p.offset());
    }

    public int size() {
        return prompts.size();
    }
}
